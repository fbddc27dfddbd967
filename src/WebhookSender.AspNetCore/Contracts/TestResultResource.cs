namespace WebhookSender.AspNetCore;

/// <summary>How one test event went.</summary>
/// <param name="EventType">The event type sent.</param>
/// <param name="Succeeded">Whether the endpoint accepted it.</param>
/// <param name="StatusCode">The response's status code; <see langword="null"/> when none arrived.</param>
/// <param name="DurationMs">How long the exchange took, in milliseconds.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="AttemptId">The attempt in the delivery log, with the request and response.</param>
public sealed record TestResultResource(string EventType, bool Succeeded, int? StatusCode, double DurationMs, string? Error, string AttemptId);
