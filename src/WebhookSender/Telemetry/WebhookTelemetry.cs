using System.Diagnostics;
using System.Diagnostics.Metrics;
using static WebhookSender.TelemetryTags;

namespace WebhookSender;

/// <summary>
/// The one <see cref="Meter"/> and <see cref="ActivitySource"/> of the library, both named <c>WebhookSender</c>, with
/// names after the OpenTelemetry semantic conventions (durations in seconds; see <see cref="TelemetryTags"/>).
/// Tags carry outcomes, event types and status codes, never URLs (they can hold secrets). Tags are only built when
/// something listens, so telemetry that is off costs no allocation.
/// </summary>
internal sealed class WebhookTelemetry
{
    public const string Name = "WebhookSender";

    public const string PublishActivityName = "webhooks.publish";
    public const string DeliverActivityName = "webhooks.deliver";

    public const string PublishedName = "webhooks.messages.published";
    public const string AttemptsName = "webhooks.delivery.attempts";
    public const string DurationName = "webhooks.delivery.duration";
    public const string ExhaustedName = "webhooks.delivery.exhausted";
    public const string DisabledName = "webhooks.subscriptions.disabled";
    public const string DeferredName = "webhooks.delivery.deferred";
    public const string CircuitChangesName = "webhooks.endpoint.circuit_changes";
    public const string InFlightName = "webhooks.endpoint.in_flight";
    public const string PulledName = "webhooks.pull.messages";

    /// <summary>How many endpoints the in-flight gauge names; the others are summed under <see cref="TelemetryTags.OtherEndpoints"/>.</summary>
    public const int InFlightEndpointsShown = 10;

    /// <summary>Event type tag of a batch of mixed types.</summary>
    public const string BatchEventType = "batch";

    public static readonly ActivitySource ActivitySource = new(Name);

    // The semantic conventions' boundaries for HTTP durations, and a few more up to the longest AttemptTimeout's order:
    // the SDKs' default boundaries are meant for milliseconds and would put every attempt into the first bucket.
    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30, 60],
    };

    public WebhookTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        Published = meter.CreateCounter<long>(PublishedName, "{message}", "Messages published.");
        Attempts = meter.CreateCounter<long>(AttemptsName, "{attempt}", "HTTP attempts, tagged with outcome, event type, status code and error type.");
        Duration = meter.CreateHistogram(DurationName, "s", "Duration of HTTP attempts, from sending to the last byte of the response read.", tags: null, DurationAdvice);
        Exhausted = meter.CreateCounter<long>(ExhaustedName, "{delivery}", "Deliveries that failed for good.");
        Disabled = meter.CreateCounter<long>(DisabledName, "{subscription}", "Subscriptions disabled for failures or 410 Gone.");
        Deferred = meter.CreateCounter<long>(
            DeferredName, "{delivery}", "Due deliveries given back to the queue without an attempt, tagged with the reason (circuit_open, endpoint_busy, probation_full, rate_limited, quota_exhausted).");
        CircuitChanges = meter.CreateCounter<long>(CircuitChangesName, "{change}", "Endpoint circuits opened and closed, tagged with the state they went to (open, closed).");
        Pulled = meter.CreateCounter<long>(PulledName, "{message}", "Messages pull subscriptions' readers took, tagged with the event type; a message read again counts again.");
        _meter = meter;
    }

    private readonly Meter _meter;

    public Counter<long> CircuitChanges { get; }

    public Counter<long> Pulled { get; }

    public Counter<long> Published { get; }

    public Counter<long> Attempts { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> Exhausted { get; }

    public Counter<long> Disabled { get; }

    public Counter<long> Deferred { get; }

    public void RecordPublished(string eventType) => Published.Add(1, new KeyValuePair<string, object?>(EventType, eventType));

    public void RecordExhausted(string eventType) => Exhausted.Add(1, new KeyValuePair<string, object?>(EventType, eventType));

    public void RecordDeferred(string reason, int count) => Deferred.Add(count, new KeyValuePair<string, object?>(DeferReason, reason));

    public void RecordPulled(string eventType) => Pulled.Add(1, new KeyValuePair<string, object?>(EventType, eventType));

    public void RecordCircuitChange(bool opened) => CircuitChanges.Add(1, new KeyValuePair<string, object?>(CircuitState, opened ? "open" : "closed"));

    /// <summary>
    /// Reports the attempts in flight per endpoint through <paramref name="observe"/>, called when a listener collects:
    /// the <see cref="InFlightEndpointsShown"/> busiest by subscription id, the rest together, so the series stay few.
    /// </summary>
    public void ObserveInFlight(Func<IEnumerable<Measurement<int>>> observe) =>
        _meter.CreateObservableGauge(InFlightName, observe, "{attempt}", "Attempts in flight to the busiest endpoints (by subscription id) and to all others together (_OTHER).");

    /// <summary>
    /// Describes an attempt on its span (<see cref="StartDelivery"/>'s) and in the attempt metrics; <paramref name="eventType"/>
    /// is <see langword="null"/> for a batch of mixed types.
    /// </summary>
    public void RecordAttempt(Activity? activity, HttpExchange exchange, AttemptVerdict verdict, string? eventType)
    {
        if (activity is null && !Attempts.Enabled && !Duration.Enabled)
        {
            return;
        }

        string outcome = verdict.OutcomeTag(exchange.Response);
        int? statusCode = exchange.Response?.StatusCode;
        string? errorType = ErrorTypeOf(exchange, verdict);
        EndDelivery(activity, outcome, statusCode, errorType, verdict.Error);
        if (Attempts.Enabled || Duration.Enabled)
        {
            RecordAttempt(eventType ?? BatchEventType, outcome, statusCode, errorType, exchange.Duration);
        }
    }

    private void RecordAttempt(string eventType, string outcome, int? statusCode, string? errorType, TimeSpan duration)
    {
        var tags = new TagList { { EventType, eventType }, { Outcome, outcome } };
        if (statusCode is { } status)
        {
            tags.Add(StatusCode, StatusCodeValues.Boxed(status));
        }

        if (errorType is not null)
        {
            tags.Add(ErrorType, errorType);
        }

        Attempts.Add(1, tags);
        Duration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>
    /// The <c>error.type</c> of an attempt: <see langword="null"/> when it succeeded; the status code of a response that
    /// failed; what the sender found when none arrived.
    /// </summary>
    private static string? ErrorTypeOf(HttpExchange exchange, AttemptVerdict verdict) =>
        verdict.Succeeded ? null
        : exchange.Response is { } response
            ? response.StatusCode is >= 200 and < 300 && response.BodyTruncated ? ErrorTypes.ResponseTooLarge : StatusCodeValues.Text(response.StatusCode)
        : exchange.Failure?.ErrorType ?? ErrorTypes.Other;

    /// <summary>Starts the producer span of a publish, a child of the caller's activity.</summary>
    public static Activity? StartPublish(string eventType)
    {
        var activity = ActivitySource.StartActivity(PublishActivityName, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingSystem, SystemName);
            activity.SetTag(OperationType, "send");
            activity.SetTag(OperationName, "publish");
            activity.SetTag(EventType, eventType);
        }

        return activity;
    }

    /// <summary>Ends the publish span's description: the message stored, or the stored one its idempotency key matched.</summary>
    public static void EndPublish(Activity? activity, string messageId, bool duplicate)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessageId, messageId);
            if (duplicate)
            {
                activity.SetTag(Duplicate, true);
            }
        }
    }

    /// <summary>
    /// Starts the span of one attempt (one request, for one delivery or a batch): <see cref="ActivityKind.Internal"/>, as
    /// HttpClient's own span under it is the client one. It is the root of a trace of its own, linked to the contexts
    /// the messages were published in (<paramref name="links"/>), as the messaging conventions have a consumer's
    /// process span do: a retry may run days after the publish, and a batch has many publishes.
    /// </summary>
    public static Activity? StartDelivery(WebhookSubscription subscription, IReadOnlyList<DeliveryLease> members, string webhookId, string? eventType, ActivityLink[]? links)
    {
        // Whatever activity runs around the dispatcher (a host started inside one) is not this delivery's parent, nor
        // HttpClient's. Only the caller's flow sees the change: it is an async method.
        if (Activity.Current is not null)
        {
            Activity.Current = null;
        }

        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = ActivitySource.StartActivity(DeliverActivityName, ActivityKind.Internal, parentContext: default, tags: null, links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingSystem, SystemName);
            activity.SetTag(OperationType, "process");
            activity.SetTag(OperationName, "deliver");
            activity.SetTag(MessageId, webhookId);
            activity.SetTag(SubscriptionId, subscription.Id);
            activity.SetTag(EventType, eventType);
            // A batch goes under an id of its own, a single delivery under its message's.
            if (!string.Equals(webhookId, members[0].Delivery.MessageId, StringComparison.Ordinal))
            {
                activity.SetTag(BatchMessageCount, members.Count);
            }

            activity.SetTag(ServerAddress, subscription.Url?.Host); // as HttpClient's span has it
            activity.SetTag(ServerPort, subscription.Url?.Port);
        }

        return activity;
    }

    /// <summary>Describes how the attempt ended; a failed one sets the span's status to error, with the attempt log's words.</summary>
    private static void EndDelivery(Activity? activity, string outcome, int? statusCode, string? errorType, string? error)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag(Outcome, outcome);
        if (statusCode is { } status)
        {
            activity.SetTag(StatusCode, StatusCodeValues.Boxed(status));
        }

        if (errorType is not null)
        {
            activity.SetTag(ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }
}
