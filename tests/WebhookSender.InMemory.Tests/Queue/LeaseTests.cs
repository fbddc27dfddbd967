using WebhookSender.StoreContract;
using WebhookSender.Storage;

namespace WebhookSender.InMemory.Tests.Queue;

public sealed class LeaseTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Lease_respects_max_count()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        var now = clock.GetUtcNow();
        await store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [.. Enumerable.Range(1, 5).Select(i => ContractData.Delivery($"dlv_{i}", "msg_1", dueAt: now.AddSeconds(-10 + i)))],
            None);

        var first = await store.LeaseAsync(2, LeaseDuration, None);
        var second = await store.LeaseAsync(10, LeaseDuration, None);
        var third = await store.LeaseAsync(10, LeaseDuration, None);

        Assert.Equal(["dlv_1", "dlv_2"], first.Select(l => l.Delivery.Id));
        Assert.Equal(["dlv_3", "dlv_4", "dlv_5"], second.Select(l => l.Delivery.Id));
        Assert.Empty(third);
    }

    [Fact]
    public async Task Reschedule_makes_the_delivery_due_at_its_new_time()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await store.LeaseAsync(1, LeaseDuration, None));
        var retry = lease.Delivery with { Status = DeliveryStatus.Queued, AttemptCount = 1, DueAt = clock.GetUtcNow().AddMinutes(10) };

        Assert.True(await ((IDeliveryQueue)store).RescheduleAsync(lease, retry, None));

        Assert.Equal(DeliveryStatus.Queued, (await store.GetDeliveryAsync("dlv_1", None))!.Status);
        Assert.Empty(await store.LeaseAsync(10, LeaseDuration, None));
        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Empty(await store.LeaseAsync(10, LeaseDuration, None));
        clock.Advance(TimeSpan.FromSeconds(1));
        var again = Assert.Single(await store.LeaseAsync(10, LeaseDuration, None));
        Assert.Equal(1, again.Delivery.AttemptCount);
        Assert.NotEqual(lease.LeaseId, again.LeaseId);

        // The first lease ended with the reschedule: it can no longer finish the delivery.
        Assert.False(await ((IDeliveryQueue)store).CompleteAsync(lease, TestData.Succeeded(lease.Delivery), None));
    }

}
