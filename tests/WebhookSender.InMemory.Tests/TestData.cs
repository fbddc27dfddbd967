using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace WebhookSender.InMemory.Tests;

/// <summary>Builds stores and records for the tests; ids are readable and sort in creation order.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly JsonElement EmptyData = JsonSerializer.SerializeToElement(new { });

    public static FakeTimeProvider Clock() => new(Start);

    public static InMemoryWebhookStore Store(TimeProvider timeProvider, Action<InMemoryStoreOptions>? configure = null)
    {
        var options = new InMemoryStoreOptions();
        configure?.Invoke(options);
        return new InMemoryWebhookStore(timeProvider, Options.Create(options));
    }

    public static WebhookSubscription Subscription(string id, string? tenantId = null, string[]? eventTypes = null, bool isActive = true) => new()
    {
        Id = id,
        TenantId = tenantId,
        Url = new Uri("https://receiver.example/hooks"),
        EventTypes = eventTypes ?? [],
        IsActive = isActive,
        CreatedAt = Start,
        UpdatedAt = Start,
    };

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

    public static WebhookDelivery Delivery(
        string id,
        string messageId,
        DateTimeOffset? dueAt = null,
        string subscriptionId = "sub_a",
        DateTimeOffset? createdAt = null,
        DeliveryStatus status = DeliveryStatus.Queued) => new()
    {
        Id = id,
        MessageId = messageId,
        SubscriptionId = subscriptionId,
        EventType = "order.created",
        Status = status,
        DueAt = dueAt ?? Start,
        CreatedAt = createdAt ?? Start,
    };

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

    /// <summary>Stores a message created now with one delivery per id, all due now.</summary>
    public static async Task<WebhookDelivery[]> PublishAsync(this InMemoryWebhookStore store, string messageId, params string[] deliveryIds)
    {
        var deliveries = deliveryIds.Select(id => Delivery(id, messageId)).ToArray();
        await store.AddMessageAsync(Message(messageId), deliveries, CancellationToken.None);
        return deliveries;
    }

    /// <summary>Leases one delivery and completes it as Succeeded.</summary>
    public static async Task LeaseAndSucceedAsync(this InMemoryWebhookStore store, string deliveryId)
    {
        var leases = await store.LeaseAsync(1000, TimeSpan.FromMinutes(1), CancellationToken.None);
        var lease = Assert.Single(leases, l => l.Delivery.Id == deliveryId);
        Assert.True(await store.CompleteAsync(lease, Succeeded(lease.Delivery), CancellationToken.None));
        foreach (var other in leases.Where(l => l.Delivery.Id != deliveryId))
        {
            Assert.True(await store.RescheduleAsync(other, other.Delivery with { Status = DeliveryStatus.Queued }, CancellationToken.None));
        }
    }

    public static WebhookDelivery Succeeded(WebhookDelivery delivery) =>
        delivery with { Status = DeliveryStatus.Succeeded, AttemptCount = delivery.AttemptCount + 1, CompletedAt = Start };
}
