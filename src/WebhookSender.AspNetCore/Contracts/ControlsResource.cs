namespace WebhookSender.AspNetCore;

/// <summary>The subscription's own delivery controls; each one left out takes the host's default.</summary>
public sealed record ControlsResource
{
    /// <summary>The endpoint's rate limit.</summary>
    public RateLimitResource? RateLimit { get; init; }

    /// <summary>The most attempts in flight to the endpoint once it is proven.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Failed attempts in a row that open the endpoint's circuit (0 never).</summary>
    public int? FailureThreshold { get; init; }

    /// <summary>How long the circuit first stays open, in seconds.</summary>
    public double? BreakSeconds { get; init; }

    /// <summary>Deliver one message at a time, in publish order.</summary>
    public bool? Ordered { get; init; }

    /// <summary>The most requests to this subscription per quota window (a day by default), besides its tenant's quota.</summary>
    public long? Quota { get; init; }
}
