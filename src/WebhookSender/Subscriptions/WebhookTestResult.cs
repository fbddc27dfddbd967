namespace WebhookSender;

/// <summary>One test request: the catalog's example event of a type, sent at once.</summary>
/// <param name="EventType">The event type tested.</param>
/// <param name="Succeeded">Whether the endpoint answered 2xx.</param>
/// <param name="StatusCode">The HTTP status, or <see langword="null"/> when no response came.</param>
/// <param name="Duration">How long the exchange took.</param>
/// <param name="Error">Why it failed, in words; <see langword="null"/> on success.</param>
/// <param name="AttemptId">The attempt in the delivery log (trigger <see cref="AttemptTrigger.Test"/>).</param>
public sealed record WebhookTestResult(string EventType, bool Succeeded, int? StatusCode, TimeSpan Duration, string? Error, Guid AttemptId);
