namespace WebhookSender;

/// <summary>The subscription's own delivery controls: rate limit, concurrency, circuit and ordering.</summary>
internal sealed partial class SubscriptionValidator
{
    private const int MaxEndpointConcurrency = 4096;
    private const int MaxFailureThreshold = 1000;
    private static readonly TimeSpan MinBreak = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBreak = TimeSpan.FromDays(1);

    private readonly bool _keepsOrder = queues.FirstOrDefault()?.KeepsOrder ?? false;

    private void ValidateControls(WebhookSubscriptionRequest request, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.Controls);
        if (request.Controls is not { } controls)
        {
            return;
        }

        if (controls.RateLimit?.Problem() is { } rateProblem)
        {
            add(field, rateProblem);
        }

        if (controls.MaxConcurrency is < 1 or > MaxEndpointConcurrency)
        {
            add(field, $"MaxConcurrency is 1 to {MaxEndpointConcurrency} attempts in flight, not {controls.MaxConcurrency}; leave it null for the host's default.");
        }

        if (controls.FailureThreshold is < 0 or > MaxFailureThreshold)
        {
            add(field, $"FailureThreshold is 0 (never open the circuit) to {MaxFailureThreshold} failed attempts in a row, not {controls.FailureThreshold}.");
        }

        if (controls.BreakDuration is { } breakDuration && (breakDuration < MinBreak || breakDuration > MaxBreak))
        {
            add(field, $"BreakDuration is 100 milliseconds to 1 day, not {breakDuration}.");
        }

        if (controls.Quota is < 0)
        {
            add(field, $"A quota is 0 (hold everything) or more requests per window, not {controls.Quota}; leave it null for none.");
        }

        if (controls.Ordered is true && !_keepsOrder)
        {
            add(field, "The registered store does not keep deliveries in order (IDeliveryQueue.KeepsOrder is false); remove Ordered or use a store that does.");
        }

        if (controls.Ordered is true && request.Batching is not null)
        {
            add(field, "Ordered delivery sends one message at a time and batching sends many together; choose one of Ordered and Batching.");
        }
    }
}
