namespace WebhookSender.Storage;

/// <summary>
/// Keeps the counters of rate limits and quotas for a store shared by several processes, so that instances share a
/// subscription's limit (and a tenant's quota) instead of multiplying it. The EF Core store implements it; without it (the in-memory store, one process) each
/// process counts for itself.
/// </summary>
public interface IDeliveryLimitStore
{
    /// <summary>
    /// Takes up to <paramref name="count"/> permits, in one atomic step, from the token bucket <paramref name="key"/>
    /// that refills one permit per <paramref name="interval"/> and holds at most <paramref name="burst"/>, at
    /// <paramref name="now"/> (a generic cell rate algorithm: the stored value is when the bucket is full again).
    /// </summary>
    /// <returns>How many permits were taken (0 to <paramref name="count"/>), and when the bucket is full again after it.</returns>
    Task<RatePermits> TakeRatePermitsAsync(string key, int count, TimeSpan interval, int burst, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Counts up to <paramref name="count"/> requests against the quota counter <paramref name="key"/> (one key per
    /// window), in one atomic step, without going past <paramref name="limit"/>. The counter may be dropped after
    /// <paramref name="windowEnd"/>.
    /// </summary>
    /// <returns>How many were counted (0 to <paramref name="count"/>), and the count after them.</returns>
    Task<QuotaCount> TakeQuotaAsync(string key, int count, long limit, DateTimeOffset windowEnd, CancellationToken cancellationToken);
}
