namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_instances</c>: an app instance whose heartbeat vouches for the leases it holds. Its times come from
/// the database's clock, so instances' clocks may disagree: only the database decides when an instance has gone silent.
/// </summary>
internal sealed class InstanceRow
{
    /// <summary>The instance's <see cref="EntityFrameworkStoreOptions.InstanceId"/>, as written to the queue's <c>lease_owner</c>.</summary>
    public required string Id { get; set; }

    /// <summary>
    /// A random token per registration, so a process never renews a row another process (with the same instance id)
    /// registered after its own row was removed.
    /// </summary>
    public required string Incarnation { get; set; }

    /// <summary>When the instance registered (UTC ticks, database clock).</summary>
    public long StartedAt { get; set; }

    /// <summary>Its last heartbeat (UTC ticks, database clock).</summary>
    public long HeartbeatAt { get; set; }
}
