namespace WebhookSender;

/// <summary>A newly created subscription and its signing secret, returned once so the host can show it to the owner.</summary>
/// <param name="Subscription">The stored subscription (secret values redacted).</param>
/// <param name="Secret">The signing secret, <c>whsec_…</c>: generated unless the request gave one.</param>
public sealed record CreatedSubscription(WebhookSubscription Subscription, string Secret)
{
    /// <summary>Shows the result without its secret.</summary>
    public override string ToString() => $"CreatedSubscription {{ Subscription = {Subscription.Id}, Secret = {WebhookSecret.RedactedValue} }}";
}
