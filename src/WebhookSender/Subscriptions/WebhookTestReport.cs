namespace WebhookSender;

/// <summary>The result of <see cref="IWebhookSubscriptions.TestAsync"/>: one test request per event type.</summary>
/// <param name="StartedAt">When the tests started.</param>
/// <param name="Tests">One result per event type tested.</param>
public sealed record WebhookTestReport(DateTimeOffset StartedAt, IReadOnlyList<WebhookTestResult> Tests)
{
    /// <summary>How many tests ran.</summary>
    public int TestsRun => Tests.Count;

    /// <summary>How many got a 2xx answer.</summary>
    public int TestsSucceeded => Tests.Count(t => t.Succeeded);

    /// <summary>How many failed.</summary>
    public int TestsFailed => Tests.Count(t => !t.Succeeded);
}
