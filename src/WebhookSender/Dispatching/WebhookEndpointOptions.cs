using System.ComponentModel.DataAnnotations;

namespace WebhookSender;

/// <summary>
/// How the dispatcher shares itself between endpoints (subscriptions), so that one slow or dead endpoint cannot stall the
/// others. An endpoint whose last attempt in this process succeeded is <em>proven</em>: it may use up to
/// <see cref="MaxConcurrency"/> of the dispatcher's <see cref="WebhookOptions.MaxConcurrency"/> slots. Any other endpoint
/// (new to this process, failing, or probed after its circuit opened) is <em>on probation</em>: one attempt at a time,
/// outside those slots, in a pool of <see cref="MaxProbationConcurrency"/>; endpoints that never answer then hold only that
/// pool, never the slots of healthy endpoints. After <see cref="FailureThreshold"/> failed attempts in a row an endpoint's
/// circuit opens: its due deliveries are rescheduled to the end of the break, neither attempted nor counted as attempts,
/// and then one probe decides. Each process keeps this state for itself.
/// </summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>
    /// The most attempts in flight to one proven endpoint. <see langword="null"/> (the default) allows a quarter of
    /// <see cref="WebhookOptions.MaxConcurrency"/>, at least 1. Raise it for a host with one busy endpoint.
    /// </summary>
    [Range(1, 4096)]
    public int? MaxConcurrency { get; set; }

    /// <summary>
    /// The most attempts in flight, in all, to endpoints on probation (one each). They wait on the network, not on the
    /// processor, so the pool is large: it must hold every endpoint that hangs at once for new and recovering endpoints to
    /// get their turn. Default 256.
    /// </summary>
    [Range(1, 65536)]
    public int MaxProbationConcurrency { get; set; } = 256;

    /// <summary>Failed attempts in a row that open an endpoint's circuit. 0 never opens it. Default 5.</summary>
    [Range(0, 1000)]
    public int FailureThreshold { get; set; } = 5;

    /// <summary>How long a circuit stays open the first time; each failed probe doubles it. Default 30 seconds.</summary>
    [TimeSpanRange("00:00:00.100", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a circuit stays open between two probes. Default 10 minutes.</summary>
    [TimeSpanRange("00:00:00.100", "1.00:00:00")]
    public TimeSpan MaxBreakDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The rate limit of every endpoint without one of its own (<see cref="WebhookDeliveryControls.RateLimit"/>);
    /// <see langword="null"/> (the default) has none. On the EF Core store the instances share each endpoint's limit.
    /// </summary>
    public WebhookRateLimit? RateLimit { get; set; }

    /// <summary>
    /// Whether endpoints without a setting of their own (<see cref="WebhookDeliveryControls.Ordered"/>) get their messages
    /// one at a time, in publish order. Default <see langword="false"/>: deliveries run concurrently, and a retrying one
    /// does not hold the others back.
    /// </summary>
    public bool Ordered { get; set; }

    /// <summary>The per-endpoint cap in effect for a dispatcher with <paramref name="dispatcherConcurrency"/> slots.</summary>
    internal int MaxConcurrencyFor(int dispatcherConcurrency) => MaxConcurrency ?? Math.Max(1, dispatcherConcurrency / 4);
}
