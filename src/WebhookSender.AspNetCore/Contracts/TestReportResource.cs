namespace WebhookSender.AspNetCore;

/// <summary>The report of a test: one example event per type sent at once, and how each went.</summary>
/// <param name="StartedAt">When the test began.</param>
/// <param name="TestsRun">How many events were sent.</param>
/// <param name="TestsSucceeded">How many the endpoint accepted.</param>
/// <param name="TestsFailed">How many failed.</param>
/// <param name="Tests">Each event's result.</param>
public sealed record TestReportResource(DateTimeOffset StartedAt, int TestsRun, int TestsSucceeded, int TestsFailed, IReadOnlyList<TestResultResource> Tests);
