using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WebhookSender;

/// <summary>
/// The one <see cref="Meter"/> and <see cref="ActivitySource"/> of the library, both named <c>WebhookSender</c>.
/// Tags carry outcomes and event types, never URLs (they can hold secrets).
/// </summary>
internal sealed class WebhookTelemetry
{
    public const string Name = "WebhookSender";

    public static readonly ActivitySource ActivitySource = new(Name);

    public WebhookTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        Published = meter.CreateCounter<long>("webhooks.messages.published", "{message}", "Messages published.");
        Attempts = meter.CreateCounter<long>("webhooks.delivery.attempts", "{attempt}", "HTTP attempts, tagged with outcome and event type.");
        Duration = meter.CreateHistogram<double>("webhooks.delivery.duration", "ms", "Duration of HTTP attempts.");
        Exhausted = meter.CreateCounter<long>("webhooks.delivery.exhausted", "{delivery}", "Deliveries that failed for good.");
        Disabled = meter.CreateCounter<long>("webhooks.subscriptions.disabled", "{subscription}", "Subscriptions disabled for failures or 410 Gone.");
        Deferred = meter.CreateCounter<long>("webhooks.delivery.deferred", "{delivery}", "Due deliveries given back to the queue without an attempt, tagged with the reason (circuit_open, endpoint_busy, probation_full).");
    }

    public Counter<long> Published { get; }

    public Counter<long> Attempts { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> Exhausted { get; }

    public Counter<long> Disabled { get; }

    public Counter<long> Deferred { get; }

    public void RecordDeferred(string reason, int count) => Deferred.Add(count, new KeyValuePair<string, object?>("webhooks.defer_reason", reason));

    public void RecordAttempt(string eventType, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "webhooks.event_type", eventType }, { "webhooks.outcome", outcome } };
        Attempts.Add(1, tags);
        Duration.Record(duration.TotalMilliseconds, tags);
    }
}
