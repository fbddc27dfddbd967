namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_subscription_event_types</c>, the matching index: one row per event type of an active
/// subscription, or one <c>*</c> row when it takes every type. Publishing looks up (tenant, type) and (tenant, <c>*</c>)
/// instead of examining every subscription.
/// </summary>
internal sealed class SubscriptionEventTypeRow
{
    /// <summary>The event type, or <c>*</c>.</summary>
    public required string EventType { get; set; }

    public required string SubscriptionId { get; set; }

    /// <summary>The tenant id, or the empty string for "no tenant" (tenant ids are never blank), so equality finds it.</summary>
    public required string TenantKey { get; set; }
}
