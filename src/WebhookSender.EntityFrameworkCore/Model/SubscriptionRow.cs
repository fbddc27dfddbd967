namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_subscriptions</c>: the columns queries need, plus the whole <see cref="WebhookSubscription"/> as a
/// JSON document, so new properties of the model need no schema change.
/// </summary>
internal sealed class SubscriptionRow
{
    public required string Id { get; set; }

    public string? TenantId { get; set; }

    public bool IsActive { get; set; }

    /// <summary>UTC ticks.</summary>
    public long CreatedAt { get; set; }

    /// <summary>UTC ticks.</summary>
    public long UpdatedAt { get; set; }

    /// <summary>The optimistic-concurrency version; updates are conditional on it.</summary>
    public long Version { get; set; }

    /// <summary>The subscription as JSON, or its protected form when <see cref="IsProtected"/>.</summary>
    public required string Document { get; set; }

    /// <summary>Whether <see cref="Document"/> was protected with the host's <see cref="IWebhookSecretProtector"/>.</summary>
    public bool IsProtected { get; set; }
}
