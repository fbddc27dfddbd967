namespace WebhookSender;

/// <summary>Turns an exchange and its verdict into the entry of the delivery log that a person reads later.</summary>
internal static class AttemptRecords
{
    /// <summary>The delivery log's entry for one delivery (or a test, with no delivery) carried by <paramref name="exchange"/>.</summary>
    public static DeliveryAttempt From(
        HttpExchange exchange, AttemptVerdict verdict, WebhookSubscription subscription, string? deliveryId, string messageId, string eventType,
        int attemptNumber, AttemptTrigger trigger, IReadOnlyList<string> warnings) => new()
    {
        Id = WebhookIds.NewVersion7(exchange.StartedAt),
        DeliveryId = deliveryId,
        MessageId = messageId,
        SubscriptionId = subscription.Id,
        TenantId = subscription.TenantId,
        EventType = eventType,
        AttemptNumber = attemptNumber,
        Trigger = trigger,
        StartedAt = exchange.StartedAt,
        Duration = exchange.Duration,
        Succeeded = verdict.Succeeded,
        Request = exchange.Request,
        Response = exchange.Response,
        Error = verdict.Error,
        Warnings = warnings,
    };
}
