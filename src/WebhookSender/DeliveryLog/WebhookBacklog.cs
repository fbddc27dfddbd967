namespace WebhookSender;

/// <summary>
/// How much delivery work is pending, counted in one read of the store: what is ready to send, what is being sent, what
/// waits for a later time, and how long the oldest ready delivery has waited. Returned by
/// <see cref="IWebhookDeliveries.GetBacklogAsync"/>; meant for dashboards and health checks (a growing
/// <see cref="Due"/> count or <see cref="OldestDueAge"/> means the dispatchers do not keep up, or cannot reach the
/// receivers).
/// </summary>
public sealed record WebhookBacklog
{
    /// <summary>
    /// Deliveries ready to be sent now and held by no dispatcher: due, or held under a lease that lapsed (its holder
    /// stopped or crashed).
    /// </summary>
    public int Due { get; init; }

    /// <summary>Deliveries a dispatcher holds under a live lease: being attempted now.</summary>
    public int InFlight { get; init; }

    /// <summary>Deliveries waiting for a later time: a retry scheduled after a failed attempt, or a batch window not yet over.</summary>
    public int Waiting { get; init; }

    /// <summary>Every delivery not yet finished: <see cref="Due"/> + <see cref="InFlight"/> + <see cref="Waiting"/>.</summary>
    public int Pending => Due + InFlight + Waiting;

    /// <summary>
    /// Since when the longest-waiting due delivery has been ready to send (its due time, or when its lapsed lease
    /// expired); <see langword="null"/> when nothing is due.
    /// </summary>
    public DateTimeOffset? OldestDueAt { get; init; }

    /// <summary>The store's time when it counted; <see cref="OldestDueAge"/> is measured from it.</summary>
    public DateTimeOffset MeasuredAt { get; init; }

    /// <summary>How long the longest-waiting due delivery has been ready to send; <see langword="null"/> when nothing is due.</summary>
    public TimeSpan? OldestDueAge => OldestDueAt is { } at ? MeasuredAt - at : null;
}
