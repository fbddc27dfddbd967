namespace WebhookSender.Storage;

/// <summary>
/// Keeps the counters of rate limits for a store shared by several processes, so that instances share a subscription's
/// limit instead of multiplying it. The EF Core store implements it; without it (the in-memory store, one process) each
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
}
