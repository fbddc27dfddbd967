using WebhookSender.Storage;

namespace WebhookSender.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Batch_members_are_leased_together_whatever_their_due_time()
    {
        var batches = Assert.IsAssignableFrom<IDeliveryBatchQueue>(Queue);
        var later = Clock.GetUtcNow().AddMinutes(5);
        await Store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [
                ContractData.Delivery("dlv_a2", "msg_1", dueAt: later, createdAt: ContractData.Start.AddSeconds(1)) with { BatchKey = "b1" },
                ContractData.Delivery("dlv_a1", "msg_1", dueAt: later, createdAt: ContractData.Start) with { BatchKey = "b1" },
                ContractData.Delivery("dlv_a3", "msg_1", dueAt: later, createdAt: ContractData.Start.AddSeconds(2)) with { BatchKey = "b1" },
                ContractData.Delivery("dlv_b", "msg_1", dueAt: later) with { BatchKey = "b2" },
                ContractData.Delivery("dlv_alone", "msg_1"),
            ],
            None);

        var first = await batches.LeaseBatchAsync("b1", 2, LeaseDuration, None);
        var rest = await batches.LeaseBatchAsync("b1", 10, LeaseDuration, None);
        var none = await batches.LeaseBatchAsync("b1", 10, LeaseDuration, None);
        var due = await Queue.LeaseAsync(10, LeaseDuration, None);

        Assert.Equal(["dlv_a1", "dlv_a2"], first.Select(l => l.Delivery.Id));
        Assert.All(first, l => Assert.Equal(DeliveryStatus.Dispatched, l.Delivery.Status));
        Assert.Equal(["dlv_a3"], rest.Select(l => l.Delivery.Id));
        Assert.Empty(none);
        Assert.Equal(["dlv_alone"], due.Select(l => l.Delivery.Id));
        Assert.Empty(await batches.LeaseBatchAsync("b_missing", 10, LeaseDuration, None));
    }

    [Fact]
    public async Task A_sealed_batch_is_leased_under_its_new_key_and_comes_back_when_a_lease_lapses()
    {
        var batches = Assert.IsAssignableFrom<IDeliveryBatchQueue>(Queue);
        await Store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [
                ContractData.Delivery("dlv_1", "msg_1") with { BatchKey = "sub_a@1" },
                ContractData.Delivery("dlv_2", "msg_1", createdAt: ContractData.Start.AddTicks(1)) with { BatchKey = "sub_a@1" },
            ],
            None);
        var leases = await batches.LeaseBatchAsync("sub_a@1", 10, LeaseDuration, None);

        // The first attempt failed: both go back under the batch's own id, due later.
        foreach (var lease in leases)
        {
            var retry = lease.Delivery with { Status = DeliveryStatus.Queued, AttemptCount = 1, BatchKey = "msg_batch", DueAt = Clock.GetUtcNow().AddMinutes(1) };
            Assert.True(await Queue.RescheduleAsync(lease, retry, None));
        }

        Assert.Equal("msg_batch", (await Store.GetDeliveryAsync("dlv_1", None))!.BatchKey);
        Assert.Empty(await batches.LeaseBatchAsync("sub_a@1", 10, LeaseDuration, None));
        var sealedBatch = await batches.LeaseBatchAsync("msg_batch", 10, LeaseDuration, None);
        Assert.Equal(["dlv_1", "dlv_2"], sealedBatch.Select(l => l.Delivery.Id));

        // One member completes; the other's lease lapses and it can be leased again, the completed one never.
        Assert.True(await Queue.CompleteAsync(sealedBatch[0], ContractData.Succeeded(sealedBatch[0].Delivery), None));
        Clock.Advance(LeaseDuration);
        var again = await batches.LeaseBatchAsync("msg_batch", 10, LeaseDuration, None);
        Assert.Equal(["dlv_2"], again.Select(l => l.Delivery.Id));
        Assert.NotEqual(sealedBatch[1].LeaseId, again[0].LeaseId);
        Assert.False(await Queue.CompleteAsync(sealedBatch[1], ContractData.Succeeded(sealedBatch[1].Delivery), None));
    }
}
