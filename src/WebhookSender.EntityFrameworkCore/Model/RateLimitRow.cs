namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_rate_limits</c>: one subscription's token bucket, shared by every instance (see
/// <see cref="WebhookSender.Storage.IDeliveryLimitStore"/>). One row per rate-limited subscription; it does not grow with traffic.
/// </summary>
internal sealed class RateLimitRow
{
    /// <summary>The bucket's key (<c>rate:</c> and the subscription id).</summary>
    public required string Id { get; set; }

    /// <summary>When the bucket is full again (UTC ticks): its theoretical arrival time.</summary>
    public long FullAt { get; set; }

    /// <summary>How many permits the last take got, returned with <see cref="FullAt"/> by the same statement.</summary>
    public int Granted { get; set; }
}
