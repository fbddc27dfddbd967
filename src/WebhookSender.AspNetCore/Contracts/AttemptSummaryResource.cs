namespace WebhookSender.AspNetCore;

/// <summary>One HTTP exchange in the delivery log, without its bodies.</summary>
/// <param name="Id">The attempt id (32 hex digits).</param>
/// <param name="DeliveryId">The delivery; <see langword="null"/> for a test.</param>
/// <param name="MessageId">The message, the <c>webhook-id</c>.</param>
/// <param name="EventType">The event type.</param>
/// <param name="AttemptNumber">1 for the first attempt of the delivery.</param>
/// <param name="Trigger"><c>scheduled</c>, <c>manual</c>, <c>ping</c> or <c>test</c>.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="DurationMs">How long it took, in milliseconds.</param>
/// <param name="Status"><c>succeeded</c> or <c>failed</c>.</param>
/// <param name="StatusCode">The response's status code; <see langword="null"/> when none arrived.</param>
/// <param name="Error">Why it failed.</param>
public sealed record AttemptSummaryResource(
    string Id, string? DeliveryId, string MessageId, string EventType, int AttemptNumber, string Trigger,
    DateTimeOffset StartedAt, double DurationMs, string Status, int? StatusCode, string? Error);
