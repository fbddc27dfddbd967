using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.StoreContract;
using WebhookSender.Storage;

namespace WebhookSender.InMemory.Tests;

/// <summary>Builds stores for the tests; the records come from the shared <see cref="ContractData"/>.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset Start = ContractData.Start;

    public static FakeTimeProvider Clock() => new(Start);

    public static InMemoryWebhookStore Store(TimeProvider timeProvider, Action<InMemoryStoreOptions>? configure = null)
    {
        var options = new InMemoryStoreOptions();
        configure?.Invoke(options);
        return new InMemoryWebhookStore(timeProvider, Options.Create(options));
    }

    /// <summary>Stores a message created now with one delivery per id, all due now.</summary>
    public static async Task<WebhookDelivery[]> PublishAsync(this InMemoryWebhookStore store, string messageId, params string[] deliveryIds)
    {
        var deliveries = deliveryIds.Select(id => ContractData.Delivery(id, messageId)).ToArray();
        await store.AddMessageAsync(ContractData.Message(messageId), deliveries, CancellationToken.None);
        return deliveries;
    }

    /// <summary>Leases one delivery and completes it as Succeeded.</summary>
    public static async Task LeaseAndSucceedAsync(this InMemoryWebhookStore store, string deliveryId)
    {
        var leases = await store.LeaseAsync(1000, TimeSpan.FromMinutes(1), CancellationToken.None);
        var lease = Assert.Single(leases, l => l.Delivery.Id == deliveryId);
        Assert.True(await ((IDeliveryQueue)store).CompleteAsync(lease, Succeeded(lease.Delivery), CancellationToken.None));
        foreach (var other in leases.Where(l => l.Delivery.Id != deliveryId))
        {
            Assert.True(await ((IDeliveryQueue)store).RescheduleAsync(other, other.Delivery with { Status = DeliveryStatus.Queued }, CancellationToken.None));
        }
    }

    public static WebhookDelivery Succeeded(WebhookDelivery delivery) =>
        delivery with { Status = DeliveryStatus.Succeeded, AttemptCount = delivery.AttemptCount + 1, CompletedAt = Start };
}
