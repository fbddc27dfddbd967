namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_limits</c>: a counter shared by every instance (see <see cref="WebhookSender.Storage.IDeliveryLimitStore"/>).
/// For a rate limit (<c>rate:…</c>) one row per subscription, its value when the token bucket is full again; for a quota
/// (<c>quota:…</c>) one row per tenant or subscription and window, its value the requests counted. Rows past
/// <see cref="ExpiresAt"/> hold nothing a new row would not, and retention deletes them.
/// </summary>
internal sealed class LimitRow
{
    /// <summary>The counter's key.</summary>
    public required string Id { get; set; }

    /// <summary>A rate limit's full time (UTC ticks), or a quota's count.</summary>
    public long Value { get; set; }

    /// <summary>How many the last take got, returned with <see cref="Value"/> by the same statement.</summary>
    public int Granted { get; set; }

    /// <summary>When the row stops mattering (UTC ticks): a bucket's full time, a quota window's end.</summary>
    public long ExpiresAt { get; set; }
}
