namespace WebhookSender.Storage;

/// <summary>What <see cref="IDeliveryLimitStore.TakeRatePermitsAsync"/> took from a token bucket.</summary>
/// <param name="Granted">Permits taken, from 0 to the number asked for.</param>
/// <param name="FullAt">When the bucket is full again (its theoretical arrival time); with the burst, when the next permit is free.</param>
public readonly record struct RatePermits(int Granted, DateTimeOffset FullAt)
{
    /// <summary>When the next permit is free, for a bucket of <paramref name="burst"/> refilled every <paramref name="interval"/>.</summary>
    public DateTimeOffset NextFreeAt(TimeSpan interval, int burst) => FullAt - interval * (burst - 1);
}
