using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender;

internal sealed class WebhookPublisher(
    IWebhookStore store,
    EventTypeCatalog catalog,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    WebhookTelemetry telemetry,
    ILogger<WebhookPublisher> logger) : IWebhookPublisher
{
    private const int MaxKeyLength = 256;

    public async Task<PublishResult> PublishAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        Validate(webhookEvent);

        using var activity = WebhookTelemetry.ActivitySource.StartActivity("webhooks.publish", ActivityKind.Producer);
        activity?.SetTag("webhooks.event_type", webhookEvent.Type);

        var now = timeProvider.GetUtcNow();
        var message = CreateMessage(webhookEvent, now, options.Value.JsonSerializerOptions);
        var subscriptions = await store.FindSubscriptionsAsync(message.EventType, message.TenantId, cancellationToken).ConfigureAwait(false);
        var deliveries = new WebhookDelivery[subscriptions.Count];
        for (int i = 0; i < deliveries.Length; i++)
        {
            deliveries[i] = NewDelivery(message, subscriptions[i].Id, AttemptTrigger.Scheduled, now);
        }

        var stored = await store.AddMessageAsync(message, deliveries, cancellationToken).ConfigureAwait(false);
        if (stored.Id != message.Id)
        {
            activity?.SetTag("webhooks.duplicate", true);
            return new PublishResult(stored.Id, 0, IsDuplicate: true);
        }

        activity?.SetTag("webhooks.message_id", message.Id);
        telemetry.Published.Add(1, new KeyValuePair<string, object?>("webhooks.event_type", message.EventType));
        Log.MessagePublished(logger, message.Id, message.EventType, deliveries.Length);
        return new PublishResult(message.Id, deliveries.Length);
    }

    internal static WebhookMessage CreateMessage(WebhookEvent webhookEvent, DateTimeOffset now, JsonSerializerOptions jsonOptions) => new()
    {
        Id = WebhookIds.NewMessageId(now),
        EventType = webhookEvent.Type,
        TenantId = webhookEvent.TenantId,
        IdempotencyKey = webhookEvent.Id,
        Timestamp = webhookEvent.OccurredAt ?? now,
        Data = JsonSerializer.SerializeToElement(webhookEvent.Data, jsonOptions),
        Context = webhookEvent.Context is { Count: > 0 } context ? JsonSerializer.SerializeToElement(context, jsonOptions) : null,
        Attributes = webhookEvent.Attributes is { Count: > 0 } attributes ? new Dictionary<string, string>(attributes) : WebhookMessage.EmptyAttributes,
        CreatedAt = now,
    };

    internal static WebhookDelivery NewDelivery(WebhookMessage message, string subscriptionId, AttemptTrigger trigger, DateTimeOffset now) => new()
    {
        Id = WebhookIds.NewDeliveryId(now),
        MessageId = message.Id,
        SubscriptionId = subscriptionId,
        TenantId = message.TenantId,
        EventType = message.EventType,
        Trigger = trigger,
        DueAt = now,
        CreatedAt = now,
    };

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

        if (webhookEvent.TenantId is { } tenant && (string.IsNullOrWhiteSpace(tenant) || tenant.Length > SubscriptionValidator.MaxTenantIdLength))
        {
            throw new WebhookValidationException(nameof(WebhookEvent.TenantId), $"The tenant id must be null or 1 to {SubscriptionValidator.MaxTenantIdLength} non-blank characters.");
        }

        if (webhookEvent.Context?.Keys.FirstOrDefault(k => EnvelopeBuilder.ReservedFields.Contains(k)) is { } reserved)
        {
            throw new WebhookValidationException(nameof(WebhookEvent.Context), $"The context field '{reserved}' clashes with the envelope's own field; rename it (the envelope has id, type, timestamp and data).");
        }
    }
}
