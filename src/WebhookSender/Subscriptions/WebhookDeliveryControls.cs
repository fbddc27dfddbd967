namespace WebhookSender;

/// <summary>
/// A subscription's own delivery controls. Each setting left <see langword="null"/> takes the host's default from
/// <see cref="WebhookOptions.Endpoints"/> (<see cref="WebhookEndpointOptions"/>); see docs/operations.md.
/// </summary>
public sealed record WebhookDeliveryControls
{
    /// <summary>The endpoint's rate limit; <see langword="null"/> takes <see cref="WebhookEndpointOptions.RateLimit"/> (off by default).</summary>
    public WebhookRateLimit? RateLimit { get; init; }

    /// <summary>The most attempts in flight to the endpoint once it is proven; <see langword="null"/> takes <see cref="WebhookEndpointOptions.MaxConcurrency"/>.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Failed attempts in a row that open the endpoint's circuit (0 never); <see langword="null"/> takes <see cref="WebhookEndpointOptions.FailureThreshold"/>.</summary>
    public int? FailureThreshold { get; init; }

    /// <summary>How long the endpoint's circuit first stays open; <see langword="null"/> takes <see cref="WebhookEndpointOptions.BreakDuration"/>.</summary>
    public TimeSpan? BreakDuration { get; init; }

    /// <summary>
    /// Deliver one message at a time, in publish order: a message that is retrying holds the later ones back until it
    /// succeeds or is exhausted. <see langword="null"/> takes <see cref="WebhookEndpointOptions.Ordered"/> (off by default).
    /// It applies to messages published after it is set.
    /// </summary>
    public bool? Ordered { get; init; }

    /// <summary>
    /// The most requests to this subscription per quota window (<see cref="WebhookQuotaOptions.Window"/>, a day by
    /// default), besides its tenant's quota; <see langword="null"/> has none. Past it, deliveries are held until the next window.
    /// </summary>
    public long? Quota { get; init; }
}
