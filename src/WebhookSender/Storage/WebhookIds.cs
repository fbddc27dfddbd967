namespace WebhookSender;

/// <summary>Creates prefixed, time-ordered ids: <c>msg_</c>, <c>sub_</c>, <c>dlv_</c> followed by 32 hex digits (no dots).</summary>
internal static class WebhookIds
{
    public static string NewMessageId(DateTimeOffset now) => New("msg_", now);

    public static string NewSubscriptionId(DateTimeOffset now) => New("sub_", now);

    public static string NewDeliveryId(DateTimeOffset now) => New("dlv_", now);

    // One string per id (a publish makes one per subscription), instead of the Guid's text and then the concatenation.
    private static string New(string prefix, DateTimeOffset now) => string.Create(prefix.Length + 32, (prefix, Guid.CreateVersion7(now)), static (chars, state) =>
    {
        state.prefix.CopyTo(chars);
        state.Item2.TryFormat(chars[state.prefix.Length..], out _, "N");
    });
}
