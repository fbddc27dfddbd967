namespace WebhookSender;

/// <summary>One message on its way to one subscription.</summary>
public sealed record WebhookDelivery
{
    /// <summary>The delivery id, <c>dlv_</c> followed by 32 lowercase hex digits.</summary>
    public required string Id { get; init; }

    /// <summary>The message delivered.</summary>
    public required string MessageId { get; init; }

    /// <summary>The subscription it goes to.</summary>
    public required string SubscriptionId { get; init; }

    /// <summary>The tenant of the message, copied for queries.</summary>
    public string? TenantId { get; init; }

    /// <summary>The event type, copied for queries and telemetry.</summary>
    public required string EventType { get; init; }

    /// <summary>Why the delivery was made.</summary>
    public AttemptTrigger Trigger { get; init; } = AttemptTrigger.Scheduled;

    /// <summary>
    /// For subscriptions with <see cref="WebhookSubscription.Batching"/>: the batch the delivery travels in. Deliveries of
    /// one window share a key until their first attempt; then each batch sent gets its own id (<c>msg_…</c>, its
    /// <c>webhook-id</c>) as key, so a retry resends exactly the same batch. <see langword="null"/> when not batched.
    /// </summary>
    public string? BatchKey { get; init; }

    /// <summary>
    /// For subscriptions with ordered delivery (<see cref="WebhookDeliveryControls.Ordered"/>): the line the delivery waits
    /// in, its subscription's id. Of the unfinished deliveries sharing it, the queue hands out only the oldest (by
    /// <see cref="CreatedAt"/>, then <see cref="Id"/>). <see langword="null"/> for unordered ones, pings and redeliveries.
    /// </summary>
    public string? OrderKey { get; init; }

    /// <summary>The current status.</summary>
    public DeliveryStatus Status { get; init; } = DeliveryStatus.Queued;

    /// <summary>Attempts made so far.</summary>
    public int AttemptCount { get; init; }

    /// <summary>When the next attempt is due (while Queued).</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>When the delivery was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the last attempt started, if any.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>The HTTP status of the last attempt, if a response came.</summary>
    public int? LastStatusCode { get; init; }

    /// <summary>
    /// Why the delivery was last put back in the queue without an attempt (a rate limit, the endpoint's concurrency or
    /// open circuit, an earlier message of an ordered subscription), until <see cref="DueAt"/>; cleared by the next
    /// attempt. <see langword="null"/> when it never waited for anything but its schedule.
    /// </summary>
    public string? HoldReason { get; init; }

    /// <summary>When the delivery reached Succeeded or Failed.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Whether the delivery is finished (Succeeded or Failed).</summary>
    public bool IsCompleted => Status is DeliveryStatus.Succeeded or DeliveryStatus.Failed;

    /// <summary>Whether the delivery waits in the queue to be sent (Queued or Dispatched): not finished, and not kept for a pull reader.</summary>
    public bool IsQueued => Status is DeliveryStatus.Queued or DeliveryStatus.Dispatched;
}
