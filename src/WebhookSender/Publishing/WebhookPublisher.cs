using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender;

internal sealed class WebhookPublisher(
    IWebhookStore store,
    SubscriptionCache subscriptions,
    EventTypeCatalog catalog,
    PayloadBuilder payloads,
    LocalDeliveries local,
    FeedSignal feedSignal,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    WebhookTelemetry telemetry,
    ILogger<WebhookPublisher> logger) : IWebhookPublisher
{
    private const int MaxKeyLength = 256;

    private static readonly JsonElement JsonNull = JsonElement.Parse("null");

    public async Task<PublishResult> PublishAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        Validate(webhookEvent);

        // Started before the message is made: the message keeps this span's context, which its deliveries link to.
        using var activity = WebhookTelemetry.StartPublish(webhookEvent.Type);

        var now = timeProvider.GetUtcNow();
        var message = CreateMessage(webhookEvent, now, options.Value.JsonSerializerOptions);
        // The store narrows by tenant and type through its index; filters and expiry are checked on those few.
        var candidates = await subscriptions.FindAsync(message.EventType, message.TenantId, cancellationToken).ConfigureAwait(false);
        var deliveries = new PublishedDeliveries(message, Matching(candidates, message, now), now, options.Value.Endpoints.Ordered);
        if (deliveries.Count > 0)
        {
            // Before storing: the dispatcher may lease the deliveries before this call returns.
            payloads.Remember(message);
        }

        var stored = await StoreAsync(message, deliveries, cancellationToken).ConfigureAwait(false);
        if (stored.Id != message.Id)
        {
            WebhookTelemetry.EndPublish(activity, stored.Id, duplicate: true);
            return new PublishResult(stored.Id, 0, IsDuplicate: true);
        }

        WebhookTelemetry.EndPublish(activity, message.Id, duplicate: false);
        if (AnyUnread(deliveries))
        {
            feedSignal.Pulse();
        }

        telemetry.RecordPublished(message.EventType);
        Log.MessagePublished(logger, message.Id, message.EventType, deliveries.Count);
        return new PublishResult(message.Id, deliveries.Count);
    }

    private static bool AnyUnread(PublishedDeliveries deliveries)
    {
        for (int i = 0; i < deliveries.Count; i++)
        {
            if (deliveries.IsUnread(i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Stores the message with its deliveries: leased to this process's dispatcher when they are all due at once and it has
    /// room for them (see <see cref="WebhookOptions.LocalHandoff"/>), else for any dispatcher to lease from the store.
    /// </summary>
    private async Task<WebhookMessage> StoreAsync(WebhookMessage message, PublishedDeliveries deliveries, CancellationToken cancellationToken)
    {
        int count = deliveries.Count;
        if (count == 0 || AnyQueued(deliveries) || !local.TryReserve(count))
        {
            var added = await store.AddMessageAsync(message, deliveries, cancellationToken).ConfigureAwait(false);
            if (count > 0)
            {
                local.NoteStoredInStore();
            }

            return added;
        }

        StoredMessage stored;
        try
        {
            stored = await store.AddMessageAndLeaseAsync(message, deliveries, options.Value.LeaseDuration, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            local.Unreserve(count);
            throw;
        }

        await local.ReleaseAsync(local.Add(stored.Leases, count)).ConfigureAwait(false);
        return stored.Message;

        // Batched deliveries wait for their window, ordered ones for their turn: the queue hands them out, not a hand-over.
        static bool AnyQueued(PublishedDeliveries deliveries)
        {
            for (int i = 0; i < deliveries.Count; i++)
            {
                if (deliveries.IsBatched(i) || deliveries.IsOrdered(i) || deliveries.IsUnread(i))
                {
                    return true;
                }
            }

            return false;
        }
    }

    internal static WebhookMessage CreateMessage(WebhookEvent webhookEvent, DateTimeOffset now, JsonSerializerOptions jsonOptions) => new()
    {
        Id = WebhookIds.NewMessageId(now),
        EventType = webhookEvent.Type,
        TenantId = webhookEvent.TenantId,
        IdempotencyKey = webhookEvent.Id,
        Timestamp = webhookEvent.OccurredAt ?? now,
        Data = Serialize(webhookEvent.Data, declaredType: null, nameof(WebhookEvent.Data), webhookEvent.Type, jsonOptions),
        Context = webhookEvent.Context is { Count: > 0 } context
            ? Serialize(context, typeof(IReadOnlyDictionary<string, object?>), nameof(WebhookEvent.Context), webhookEvent.Type, jsonOptions)
            : null,
        Attributes = webhookEvent.Attributes is { Count: > 0 } attributes ? new Dictionary<string, string>(attributes) : WebhookMessage.EmptyAttributes,
        CreatedAt = now,
        TraceParent = TraceContext.Current(),
    };

    /// <summary>
    /// Serializes the event's data or context; what System.Text.Json refuses becomes a validation error that names the
    /// event and says what to do, instead of the serializer's bare exception. <paramref name="declaredType"/> is the
    /// context's declared type, or <see langword="null"/> for the runtime type, as the serializer picks for an <see cref="object"/>.
    /// </summary>
    private static JsonElement Serialize(object? value, Type? declaredType, string field, string eventType, JsonSerializerOptions jsonOptions)
    {
        try
        {
            return ToElement(value, declaredType, jsonOptions);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or NotSupportedException or InvalidOperationException)
        {
            string what = field == nameof(WebhookEvent.Data) ? "data" : "context";
            if (IsNonFiniteNumber(value, declaredType, jsonOptions))
            {
                throw new WebhookValidationException(field,
                    $"The {what} of event '{eventType}' holds a number that is NaN or Infinity, which JSON cannot carry. Send null or a string " +
                    "instead, or set WebhookOptions.JsonSerializerOptions.NumberHandling to JsonNumberHandling.AllowNamedFloatingPointLiterals " +
                    "to send them as the strings \"NaN\", \"Infinity\" and \"-Infinity\" (if your receivers accept that).");
            }

            string fix = JsonSerializer.IsReflectionEnabledByDefault
                ? "Publish a value System.Text.Json can write (plain records or anonymous objects, no reference cycles)."
                : "Reflection-based serialization is off (native AOT or trimming): list the type in a JsonSerializerContext added to " +
                  "WebhookOptions.JsonSerializerOptions.TypeInfoResolverChain, or publish a JsonElement or JsonNode.";
            throw new WebhookValidationException(field,
                $"The {what} of event '{eventType}' cannot be serialized to JSON with WebhookOptions.JsonSerializerOptions: {ex.Message} {fix}");
        }

        // The serializer's message for NaN and Infinity names no field; trying again with them allowed tells them apart
        // from other failures (a cycle, an unsupported type). Only on this failure path, so the copy of the options is cheap enough.
        static bool IsNonFiniteNumber(object? value, Type? declaredType, JsonSerializerOptions jsonOptions)
        {
            try
            {
                var lenient = new JsonSerializerOptions(jsonOptions)
                {
                    NumberHandling = jsonOptions.NumberHandling | System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
                };
                ToElement(value, declaredType, lenient);
                return true;
            }
            catch (Exception ex) when (ex is ArgumentException or JsonException or NotSupportedException or InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Type metadata comes only from the options' resolver, so that under native AOT or trimming a type the app's
    /// JsonSerializerContext does not list fails here, with a message, rather than in trimmed-away code. A JsonElement or
    /// JsonNode needs no metadata.
    /// </summary>
    private static JsonElement ToElement(object? value, Type? declaredType, JsonSerializerOptions jsonOptions) => value switch
    {
        null => JsonNull,
        JsonElement element => element.Clone(),
        JsonNode node => FromNode(node, jsonOptions),
        _ => JsonSerializer.SerializeToElement(value, jsonOptions.GetTypeInfo(declaredType ?? value.GetType())),
    };

    private static JsonElement FromNode(JsonNode node, JsonSerializerOptions jsonOptions)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = jsonOptions.Encoder }))
        {
            node.WriteTo(writer, jsonOptions);
        }

        return JsonElement.Parse(buffer.WrittenSpan);
    }

    /// <summary>The candidates that are live and whose filters accept the message.</summary>
    private static IReadOnlyList<WebhookSubscription> Matching(IReadOnlyList<WebhookSubscription> candidates, WebhookMessage message, DateTimeOffset now)
    {
        // Usually every candidate matches: then the candidate list (never changed once made) serves as it is, instead of a copy.
        bool all = true;
        for (int i = 0; i < candidates.Count && all; i++)
        {
            all = IsMatch(candidates[i]);
        }

        if (all)
        {
            return candidates;
        }

        var matching = new List<WebhookSubscription>(candidates.Count);
        foreach (var subscription in candidates)
        {
            if (IsMatch(subscription))
            {
                matching.Add(subscription);
            }
        }

        return matching;

        bool IsMatch(WebhookSubscription subscription) => subscription.IsLiveAt(now) && subscription.Matches(message.Attributes);
    }

    internal static WebhookDelivery NewDelivery(WebhookMessage message, WebhookSubscription subscription, AttemptTrigger trigger, DateTimeOffset now) =>
        NewDelivery(message, subscription, trigger, now, WebhookIds.NewDeliveryId(now), ordered: false);

    /// <summary>
    /// A new delivery of <paramref name="message"/> to <paramref name="subscription"/>; <paramref name="ordered"/> when the
    /// subscription's published events go one at a time in order (pings and redeliveries never wait in that line).
    /// </summary>
    internal static WebhookDelivery NewDelivery(WebhookMessage message, WebhookSubscription subscription, AttemptTrigger trigger, DateTimeOffset now, string id, bool ordered)
    {
        // Published events of a batching subscription wait for the end of their window, which every instance computes
        // alike (windows are aligned to the Unix epoch), and share its key. Pings and redeliveries go alone.
        var batchWindow = trigger == AttemptTrigger.Scheduled ? subscription.Batching?.Window : null;
        var dueAt = batchWindow is { } window ? new DateTimeOffset((now.UtcTicks / window.Ticks + 1) * window.Ticks, TimeSpan.Zero) : now;
        bool inLine = ordered && trigger == AttemptTrigger.Scheduled && batchWindow is null;
        return new()
        {
            Status = subscription.IsPull ? DeliveryStatus.Unread : DeliveryStatus.Queued,
            Id = id,
            MessageId = message.Id,
            SubscriptionId = subscription.Id,
            TenantId = message.TenantId,
            EventType = message.EventType,
            Trigger = trigger,
            DueAt = dueAt,
            CreatedAt = now,
            BatchKey = batchWindow is null ? null : $"{subscription.Id}@{dueAt.UtcTicks}",
            OrderKey = inLine ? subscription.Id : null,

            // Until its first attempt clears it, the log says why it may wait even though it is due.
            HoldReason = inLine ? HoldReasons.Ordered : null,
        };
    }

    private void Validate(WebhookEvent webhookEvent)
    {
        if (string.IsNullOrWhiteSpace(webhookEvent.Type) || !catalog.IsPublishable(webhookEvent.Type))
        {
            throw new WebhookValidationException(
                nameof(WebhookEvent.Type),
                $"The event type '{webhookEvent.Type}' is not in the catalog; register it with AddEventType(\"{webhookEvent.Type}\", …) at start-up. {catalog.DescribeKnownTypes()}");
        }

        if (webhookEvent.Id is { } key && (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength))
        {
            throw new WebhookValidationException(nameof(WebhookEvent.Id), $"The idempotency key must be null or 1 to {MaxKeyLength} non-blank characters.");
        }

        if (SubscriptionValidator.TenantIdProblem(webhookEvent.TenantId) is { } tenantProblem)
        {
            throw new WebhookValidationException(nameof(WebhookEvent.TenantId), tenantProblem);
        }

        if (webhookEvent.Context?.Keys.FirstOrDefault(k => EnvelopeBuilder.ReservedFields.Contains(k)) is { } reserved)
        {
            throw new WebhookValidationException(nameof(WebhookEvent.Context), $"The context field '{reserved}' clashes with the envelope's own field; rename it (the envelope has id, type, timestamp and data).");
        }
    }
}
