using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>Converts between the model records and the rows; JSON columns use System.Text.Json with string enums.</summary>
internal static class RowMapping
{
    /// <summary>The tenant as the match index and idempotency key store it: tenant ids are never blank, so "" is "no tenant".</summary>
    public static string TenantKey(string? tenantId) => tenantId ?? string.Empty;

    /// <summary>
    /// Options for the stored documents: independent of the host's options, so stored data never changes shape. The
    /// documents are read back by this code, never put into HTML, so they escape only what JSON itself requires: with
    /// the default (HTML-safe) encoder every quote of a logged body took 6 bytes (<c>\u0022</c>) instead of 2, and every
    /// <c>+</c> of a signature 6 instead of 1.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static long Ticks(DateTimeOffset value) => value.UtcTicks;

    public static long? Ticks(DateTimeOffset? value) => value?.UtcTicks;

    public static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? Time(long? ticks) => ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public static MessageRow ToRow(WebhookMessage message) => new()
    {
        Id = message.Id,
        EventType = message.EventType,
        TenantId = message.TenantId,
        TenantKey = TenantKey(message.TenantId),
        IdempotencyKey = message.IdempotencyKey,
        Timestamp = Ticks(message.Timestamp),
        CreatedAt = Ticks(message.CreatedAt),
        Data = message.Data.GetRawText(),
        Context = message.Context?.GetRawText(),
        Attributes = message.Attributes.Count == 0 ? null : JsonSerializer.Serialize(message.Attributes, Json),
        TraceParent = message.TraceParent,
    };

    public static WebhookMessage ToModel(MessageRow row)
    {
        var message = new WebhookMessage
        {
            Id = row.Id,
            EventType = row.EventType,
            TenantId = row.TenantId,
            IdempotencyKey = row.IdempotencyKey,
            Timestamp = Time(row.Timestamp),
            CreatedAt = Time(row.CreatedAt),
            Data = ParseElement(row.Data),
            Context = row.Context is null ? null : ParseElement(row.Context),
            TraceParent = row.TraceParent,
        };

        return row.Attributes is null
            ? message
            : message with { Attributes = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Attributes, Json) ?? [] };
    }

    public static DeliveryRow ToRow(WebhookDelivery delivery) => new()
    {
        Id = delivery.Id,
        MessageId = delivery.MessageId,
        SubscriptionId = delivery.SubscriptionId,
        TenantId = delivery.TenantId,
        EventType = delivery.EventType,
        Trigger = (int)delivery.Trigger,
        Status = (int)delivery.Status,
        AttemptCount = delivery.AttemptCount,
        DueAt = Ticks(delivery.DueAt),
        CreatedAt = Ticks(delivery.CreatedAt),
        LastAttemptAt = Ticks(delivery.LastAttemptAt),
        LastStatusCode = delivery.LastStatusCode,
        CompletedAt = Ticks(delivery.CompletedAt),
        BatchKey = delivery.BatchKey,
        OrderKey = delivery.OrderKey,
        HoldReason = delivery.HoldReason,
    };

    /// <summary>A new delivery's place in the queue, from its due time; none once it is finished.</summary>
    public static QueueRow? ToQueueRow(WebhookDelivery delivery) => !delivery.IsQueued ? null : new QueueRow
    {
        DeliveryId = delivery.Id,
        AvailableAt = Ticks(delivery.DueAt),
        BatchKey = delivery.BatchKey,
        OrderKey = delivery.OrderKey,
        OrderedAt = delivery.OrderKey is null ? null : Ticks(delivery.CreatedAt),
    };

    /// <summary>The queue rows of new deliveries: one for each that is not finished.</summary>
    public static List<QueueRow> ToQueueRows(IEnumerable<WebhookDelivery> deliveries) =>
        [.. deliveries.Select(ToQueueRow).OfType<QueueRow>()];

    /// <summary>The feed rows of the unread (pull) deliveries among <paramref name="deliveries"/>, in their order.</summary>
    public static List<FeedRow> ToFeedRows(IEnumerable<WebhookDelivery> deliveries) =>
        [.. deliveries.Where(d => d.Status == DeliveryStatus.Unread).Select(d => new FeedRow
        {
            SubscriptionId = d.SubscriptionId,
            DeliveryId = d.Id,
            MessageId = d.MessageId,
            CreatedAt = Ticks(d.CreatedAt),
        })];

    public static WebhookDelivery ToModel(DeliveryRow row) => new()
    {
        Id = row.Id,
        MessageId = row.MessageId,
        SubscriptionId = row.SubscriptionId,
        TenantId = row.TenantId,
        EventType = row.EventType,
        Trigger = (AttemptTrigger)row.Trigger,
        Status = (DeliveryStatus)row.Status,
        AttemptCount = row.AttemptCount,
        DueAt = Time(row.DueAt),
        CreatedAt = Time(row.CreatedAt),
        LastAttemptAt = Time(row.LastAttemptAt),
        LastStatusCode = row.LastStatusCode,
        CompletedAt = Time(row.CompletedAt),
        BatchKey = row.BatchKey,
        OrderKey = row.OrderKey,
        HoldReason = row.HoldReason,
    };

    /// <summary>The attempt's row; given a digest, without the request body, which is then stored apart (see <see cref="AttemptRows"/>).</summary>
    public static AttemptRow ToRow(DeliveryAttempt attempt, long? bodyDigest = null) => new()
    {
        Id = attempt.Id.ToString("N"),
        DeliveryId = attempt.DeliveryId,
        MessageId = attempt.MessageId,
        SubscriptionId = attempt.SubscriptionId,
        TenantId = attempt.TenantId,
        EventType = attempt.EventType,
        AttemptNumber = attempt.AttemptNumber,
        Trigger = (int)attempt.Trigger,
        StartedAt = Ticks(attempt.StartedAt),
        Duration = attempt.Duration.Ticks,
        Succeeded = attempt.Succeeded,
        Request = JsonSerializer.Serialize(bodyDigest is null ? attempt.Request : attempt.Request with { Body = string.Empty }, Json),
        BodyDigest = bodyDigest,
        Response = attempt.Response is null ? null : JsonSerializer.Serialize(attempt.Response, Json),
        Error = attempt.Error,
        Warnings = attempt.Warnings.Count == 0 ? null : JsonSerializer.Serialize(attempt.Warnings, Json),
    };

    /// <summary>The attempt of a row, with its request body from <paramref name="bodies"/> when it is kept apart.</summary>
    public static DeliveryAttempt ToModel(AttemptRow row, IReadOnlyDictionary<(string MessageId, long Digest), string> bodies)
    {
        var attempt = ToModel(row);
        if (row.BodyDigest is not { } digest)
        {
            return attempt;
        }

        // A body is removed only with its message, after every delivery of it; "" if it is gone all the same.
        return attempt with { Request = attempt.Request with { Body = bodies.GetValueOrDefault((row.MessageId, digest), string.Empty) } };
    }

    private static DeliveryAttempt ToModel(AttemptRow row) => new()
    {
        Id = Guid.ParseExact(row.Id, "N"),
        DeliveryId = row.DeliveryId,
        MessageId = row.MessageId,
        SubscriptionId = row.SubscriptionId,
        TenantId = row.TenantId,
        EventType = row.EventType,
        AttemptNumber = row.AttemptNumber,
        Trigger = (AttemptTrigger)row.Trigger,
        StartedAt = Time(row.StartedAt),
        Duration = TimeSpan.FromTicks(row.Duration),
        Succeeded = row.Succeeded,
        Request = JsonSerializer.Deserialize<AttemptRequest>(row.Request, Json)
            ?? throw new InvalidOperationException($"Attempt {row.Id} has no stored request."),
        Response = row.Response is null ? null : JsonSerializer.Deserialize<AttemptResponse>(row.Response, Json),
        Error = row.Error,
        Warnings = row.Warnings is null ? [] : JsonSerializer.Deserialize<List<string>>(row.Warnings, Json) ?? [],
    };

    /// <summary>The match index rows of a subscription: none while inactive, one <c>*</c> row for every type, else one per type.</summary>
    public static IEnumerable<SubscriptionEventTypeRow> EventTypeRows(WebhookSubscription subscription)
    {
        if (!subscription.IsActive)
        {
            return [];
        }

        string tenantKey = TenantKey(subscription.TenantId);
        var types = subscription.EventTypes;
        if (types.Count == 0 || types.Contains(WebhookSubscriptionRequest.AllEventTypes))
        {
            return [new SubscriptionEventTypeRow { SubscriptionId = subscription.Id, TenantKey = tenantKey, EventType = WebhookSubscriptionRequest.AllEventTypes }];
        }

        return types.Distinct(StringComparer.Ordinal)
            .Select(type => new SubscriptionEventTypeRow { SubscriptionId = subscription.Id, TenantKey = tenantKey, EventType = type })
            .ToList();
    }

    private static JsonElement ParseElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
