namespace WebhookSender;

/// <summary>A delivery a quota holds back: until the window ends, with what the delivery log says.</summary>
/// <param name="Until">When it is due again.</param>
/// <param name="Reason">The hold reason (see <see cref="HoldReasons"/>).</param>
internal readonly record struct QuotaHold(DateTimeOffset Until, string Reason);
