namespace WebhookSender;

/// <summary>
/// When <c>AddHealthChecks().AddWebhooks()</c> reports Degraded or Unhealthy: the age of the oldest delivery that is due
/// and not being sent (the dispatchers do not keep up, or are not running anywhere), and optionally the number of due
/// deliveries. A threshold left <see langword="null"/> is not checked.
/// </summary>
public sealed class WebhookHealthCheckOptions
{
    /// <summary>Degraded when the oldest due delivery has waited this long. Default 1 minute.</summary>
    public TimeSpan? DegradedOldestDueAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Unhealthy when the oldest due delivery has waited this long. Default 10 minutes.</summary>
    public TimeSpan? UnhealthyOldestDueAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Degraded when this many deliveries are due and not being sent. Default none.</summary>
    public int? DegradedDueCount { get; set; }

    /// <summary>Unhealthy when this many deliveries are due and not being sent. Default none.</summary>
    public int? UnhealthyDueCount { get; set; }

    /// <summary>
    /// Whether this process must run a dispatcher: on (the default), a dispatcher that has not started or has stopped is
    /// Unhealthy. Turn it off in a process that only publishes and runs no generic host.
    /// </summary>
    public bool RequireDispatcher { get; set; } = true;

    /// <summary>How long the store may take to count the backlog before the check reports it unreachable. Default 5 s.</summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
