namespace WebhookSender.AspNetCore;

/// <summary>One message on its way to the subscription.</summary>
/// <param name="Id">The delivery id (<c>dlv_…</c>).</param>
/// <param name="MessageId">The message (<c>msg_…</c>), the <c>webhook-id</c> the receiver sees.</param>
/// <param name="EventType">The event type.</param>
/// <param name="Status"><c>queued</c>, <c>dispatched</c>, <c>succeeded</c> or <c>failed</c>.</param>
/// <param name="Trigger">Why it was sent: <c>scheduled</c>, <c>manual</c>, <c>ping</c>.</param>
/// <param name="AttemptCount">Attempts made.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="DueAt">When the next attempt is due.</param>
/// <param name="LastAttemptAt">When the last attempt started.</param>
/// <param name="LastStatusCode">The last response's status code.</param>
/// <param name="CompletedAt">When it succeeded or failed for good.</param>
/// <param name="HoldReason">Why it last went back to the queue without an attempt (a rate limit, the endpoint's concurrency or circuit, ordering).</param>
public sealed record DeliveryResource(
    string Id, string MessageId, string EventType, string Status, string Trigger, int AttemptCount,
    DateTimeOffset CreatedAt, DateTimeOffset DueAt, DateTimeOffset? LastAttemptAt, int? LastStatusCode, DateTimeOffset? CompletedAt, string? HoldReason = null);
