using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Sends the catalog's example events to a subscription at once, bypassing the queue, and reports how each went.
/// Test attempts are logged with trigger <see cref="AttemptTrigger.Test"/> and never count toward disabling.
/// </summary>
internal sealed class SubscriptionTester(
    IWebhookStore store,
    EventTypeCatalog catalog,
    PayloadBuilder payloads,
    WebhookHttpSender sender,
    RetryPolicy retryPolicy,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider)
{
    public async Task<WebhookTestReport> TestAsync(WebhookSubscription subscription, string? eventType, CancellationToken cancellationToken)
    {
        var types = TypesToTest(subscription, eventType);
        var startedAt = timeProvider.GetUtcNow();
        var results = await Task.WhenAll(types.Select(t => TestOneAsync(subscription, t, cancellationToken))).ConfigureAwait(false);
        return new WebhookTestReport(startedAt, results);
    }

    private IReadOnlyList<WebhookEventType> TypesToTest(WebhookSubscription subscription, string? eventType)
    {
        if (eventType is not null)
        {
            return catalog.IsPublishable(eventType)
                ? [catalog.Find(eventType)!]
                : throw new WebhookValidationException("EventType", $"The event type '{eventType}' is not in the catalog. {catalog.DescribeKnownTypes()}");
        }

        return [.. catalog.List().Where(t => catalog.IsPublishable(t.Name) && subscription.Accepts(t.Name))];
    }

    private async Task<WebhookTestResult> TestOneAsync(WebhookSubscription subscription, WebhookEventType type, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var message = WebhookPublisher.CreateMessage(new WebhookEvent(type.Name, type.Example) { TenantId = subscription.TenantId }, now, options.Value.JsonSerializerOptions);
        var payload = payloads.Build(message, subscription);
        var exchange = await sender.SendAsync(subscription, message.Id, message.EventType, payload, cancellationToken).ConfigureAwait(false);
        var (outcome, error) = retryPolicy.Classify(exchange, AttemptTrigger.Test);
        var verdict = new AttemptVerdict(outcome, error, RetryIn: null);
        var attempt = AttemptRecords.From(exchange, verdict, subscription, deliveryId: null, message.Id, type.Name, attemptNumber: 1, AttemptTrigger.Test, payload.Warnings);
        await store.AddAttemptAsync(attempt, CancellationToken.None).ConfigureAwait(false);
        return new WebhookTestResult(type.Name, attempt.Succeeded, exchange.Response?.StatusCode, exchange.Duration, error, attempt.Id);
    }
}
