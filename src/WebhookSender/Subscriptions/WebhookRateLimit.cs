namespace WebhookSender;

/// <summary>
/// How many requests an endpoint gets: <see cref="Limit"/> per <see cref="Period"/>, with bursts of up to
/// <see cref="Burst"/> after a quiet spell (a token bucket). Deliveries over the limit wait their turn in the queue: they
/// are deferred, never dropped and never counted as failed attempts.
/// </summary>
public sealed record WebhookRateLimit
{
    /// <summary>Requests per <see cref="Period"/>, at least 1.</summary>
    public required int Limit { get; init; }

    /// <summary>The period <see cref="Limit"/> counts over, 100 milliseconds to 1 hour. Default 1 second.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The most requests sent at once after a quiet spell; <see langword="null"/> (the default) is <see cref="Limit"/>.</summary>
    public int? Burst { get; init; }

    /// <summary>A limit of <paramref name="limit"/> requests per second.</summary>
    public static WebhookRateLimit PerSecond(int limit, int? burst = null) => new() { Limit = limit, Burst = burst };

    /// <summary>The burst in effect.</summary>
    internal int EffectiveBurst => Burst ?? Limit;

    /// <summary>The time one request uses up of the limit.</summary>
    internal TimeSpan Interval => Period / Limit;

    /// <summary>What is wrong with the limit, or <see langword="null"/>.</summary>
    internal string? Problem() =>
        Limit < 1 ? $"A rate limit allows at least 1 request per period, not {Limit}."
        : Period < TimeSpan.FromMilliseconds(100) || Period > TimeSpan.FromHours(1) ? $"A rate limit's period is 100 milliseconds to 1 hour, not {Period}."
        : Burst is < 1 or > 100_000 ? $"A rate limit's burst is 1 to 100,000 requests, not {Burst}."
        : Period / Limit < TimeSpan.FromTicks(100) ? "A rate limit of more than 100,000 requests per second is no limit; remove it."
        : null;

    /// <summary>For logs and the delivery log: "10 per 1 s (burst 20)".</summary>
    public override string ToString() =>
        $"{Limit} per {(Period.TotalSeconds >= 1 ? $"{Period.TotalSeconds:0.###} s" : $"{Period.TotalMilliseconds:0} ms")} (burst {EffectiveBurst})";
}
