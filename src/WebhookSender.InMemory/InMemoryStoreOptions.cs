using System.ComponentModel.DataAnnotations;

namespace WebhookSender.InMemory;

/// <summary>
/// Bounds of the in-memory store registered by <c>AddInMemoryStore()</c>. Every collection that grows with traffic has a
/// limit, so a burst of events or a dead endpoint cannot exhaust the process's memory. Validated at start-up.
/// </summary>
/// <remarks>The in-memory store loses everything when the process stops; use the Entity Framework Core store for durability.</remarks>
public sealed class InMemoryStoreOptions
{
    /// <summary>
    /// The most deliveries that may wait to be sent (not yet Succeeded or Failed). Publishing more is refused with a
    /// <see cref="WebhookCapacityExceededException"/> and nothing of that publish is stored. Default 100,000.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxPendingDeliveries { get; set; } = 100_000;

    /// <summary>
    /// How many messages are kept. Beyond this, messages whose deliveries are all completed are dropped oldest first,
    /// together with their deliveries; a message with a pending delivery is never dropped, so the count may exceed this
    /// while many are pending. Default 10,000.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxRetainedMessages { get; set; } = 10_000;

    /// <summary>How many attempts the delivery log keeps; the oldest attempt is dropped first. Default 10,000.</summary>
    [Range(1, int.MaxValue)]
    public int MaxAttempts { get; set; } = 10_000;

    /// <summary>
    /// How many bytes of messages (their JSON data and context) are kept. Beyond this, messages whose deliveries are all
    /// completed are dropped oldest first; a publish that would pass it with pending messages alone is refused with a
    /// <see cref="WebhookCapacityExceededException"/> and nothing of it is stored. Each message is kept once, however
    /// many deliveries it has. Default 128 MiB.
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long MaxRetainedPayloadBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// How many bytes the delivery log keeps, about: bodies as UTF-8 (a request body once per message, however many
    /// attempts sent it), headers and the rest. The oldest attempts are dropped first. Default 64 MiB.
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long MaxAttemptBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Fail a pull subscription's messages that its reader has not read within this long, so a reader that never comes
    /// does not hold pending deliveries (and <see cref="MaxPendingDeliveries"/>) for ever. Checked at most once a second,
    /// when a feed is written or read. Must be positive. <see langword="null"/> (the default) keeps them until read.
    /// </summary>
    public TimeSpan? UnreadRetention { get; set; }
}
