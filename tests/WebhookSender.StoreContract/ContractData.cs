using System.Text.Json;

namespace WebhookSender.StoreContract;

/// <summary>Records for the contract tests; ids are readable and sort in creation order.</summary>
public static class ContractData
{
    /// <summary>The fake clock's start.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly JsonElement EmptyData = JsonSerializer.SerializeToElement(new { });

    /// <summary>A subscription with the given routing.</summary>
    public static WebhookSubscription Subscription(string id, string? tenantId = null, string[]? eventTypes = null, bool isActive = true) => new()
    {
        Id = id,
        TenantId = tenantId,
        Url = new Uri("https://receiver.example/hooks"),
        EventTypes = eventTypes ?? [],
        IsActive = isActive,
        Secrets = [new WebhookSecret { Value = "whsec_" + Convert.ToBase64String(new byte[32]), CreatedAt = Start }],
        CreatedAt = Start,
        UpdatedAt = Start,
    };

    /// <summary>A message with empty data.</summary>
    public static WebhookMessage Message(string id, DateTimeOffset? createdAt = null, string? tenantId = null, string? idempotencyKey = null) => new()
    {
        Id = id,
        EventType = "order.created",
        TenantId = tenantId,
        IdempotencyKey = idempotencyKey,
        Timestamp = createdAt ?? Start,
        Data = EmptyData,
        CreatedAt = createdAt ?? Start,
    };

    /// <summary>A queued delivery, due at <paramref name="dueAt"/> (default: the start).</summary>
    public static WebhookDelivery Delivery(
        string id,
        string messageId,
        DateTimeOffset? dueAt = null,
        string subscriptionId = "sub_a",
        DateTimeOffset? createdAt = null,
        DeliveryStatus status = DeliveryStatus.Queued,
        string? tenantId = null) => new()
    {
        Id = id,
        MessageId = messageId,
        SubscriptionId = subscriptionId,
        TenantId = tenantId,
        EventType = "order.created",
        Status = status,
        DueAt = dueAt ?? Start,
        CreatedAt = createdAt ?? Start,
    };

    /// <summary>An attempt of delivery <c>dlv_1</c>.</summary>
    public static DeliveryAttempt Attempt(Guid id, DateTimeOffset startedAt, string subscriptionId = "sub_a", bool succeeded = true) => new()
    {
        Id = id,
        DeliveryId = "dlv_1",
        MessageId = "msg_1",
        SubscriptionId = subscriptionId,
        EventType = "order.created",
        AttemptNumber = 1,
        Trigger = AttemptTrigger.Scheduled,
        StartedAt = startedAt,
        Duration = TimeSpan.FromMilliseconds(20),
        Succeeded = succeeded,
        Request = new AttemptRequest("POST", "https://receiver.example/hooks", new Dictionary<string, string>(), "{}"),
    };

    /// <summary>The delivery as completed successfully by its first attempt.</summary>
    public static WebhookDelivery Succeeded(WebhookDelivery delivery) =>
        delivery with { Status = DeliveryStatus.Succeeded, AttemptCount = delivery.AttemptCount + 1, CompletedAt = Start };
}
