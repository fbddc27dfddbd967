using WebhookSender.Storage;

namespace WebhookSender.StoreContract;

/// <summary><see cref="IDeliveryQueue.EndLeasesAsync"/>: many leases ended, with their attempts, in one write.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Ending_leases_together_stores_each_state_and_logs_each_attempt()
    {
        await PublishAsync("msg_1", "dlv_1", "dlv_2", "dlv_3");
        var leases = (await Queue.LeaseAsync(10, LeaseDuration, None)).ToDictionary(l => l.Delivery.Id);
        var retryAt = Clock.GetUtcNow().AddMinutes(5);

        var held = await Queue.EndLeasesAsync(
            [
                new LeaseEnd(leases["dlv_1"], ContractData.Succeeded(leases["dlv_1"].Delivery), AttemptOf(leases["dlv_1"], succeeded: true)),
                new LeaseEnd(leases["dlv_2"], leases["dlv_2"].Delivery with { Status = DeliveryStatus.Queued, AttemptCount = 1, DueAt = retryAt }, AttemptOf(leases["dlv_2"], succeeded: false)),
                new LeaseEnd(leases["dlv_3"], leases["dlv_3"].Delivery with { Status = DeliveryStatus.Failed, CompletedAt = Clock.GetUtcNow() }),
            ],
            None);

        Assert.Equal([true, true, true], held);
        Assert.Equal(DeliveryStatus.Succeeded, (await Store.GetDeliveryAsync("dlv_1", None))!.Status);
        var retried = await Store.GetDeliveryAsync("dlv_2", None);
        Assert.Equal((DeliveryStatus.Queued, 1, retryAt), (retried!.Status, retried.AttemptCount, retried.DueAt));
        Assert.Equal(DeliveryStatus.Failed, (await Store.GetDeliveryAsync("dlv_3", None))!.Status);
        var attempts = await Store.ListAttemptsAsync(new AttemptQuery { MessageId = "msg_1" }, None);
        Assert.Equal(["dlv_1", "dlv_2"], attempts.Items.Select(a => a.DeliveryId).Order());

        Assert.Empty(await Queue.LeaseAsync(10, LeaseDuration, None));
        Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("dlv_2", Assert.Single(await Queue.LeaseAsync(10, LeaseDuration, None)).Delivery.Id);
    }

    [Fact]
    public async Task A_lost_lease_among_others_is_reported_and_skipped_while_its_attempt_is_still_logged()
    {
        await PublishAsync("msg_1", "dlv_1", "dlv_2");
        var first = (await Queue.LeaseAsync(10, LeaseDuration, None)).ToDictionary(l => l.Delivery.Id);
        Clock.Advance(LeaseDuration);
        var retaken = Assert.Single(await Queue.LeaseAsync(1, LeaseDuration, None));
        var lost = first[retaken.Delivery.Id];
        var kept = first.Values.Single(l => l.Delivery.Id != retaken.Delivery.Id);

        var held = await Queue.EndLeasesAsync(
            [
                new LeaseEnd(lost, ContractData.Succeeded(lost.Delivery), AttemptOf(lost, succeeded: true)),
                new LeaseEnd(kept, ContractData.Succeeded(kept.Delivery), AttemptOf(kept, succeeded: true)),
            ],
            None);

        Assert.Equal([false, true], held);
        Assert.Equal(DeliveryStatus.Dispatched, (await Store.GetDeliveryAsync(lost.Delivery.Id, None))!.Status);
        Assert.Equal(DeliveryStatus.Succeeded, (await Store.GetDeliveryAsync(kept.Delivery.Id, None))!.Status);
        Assert.Equal(2, (await Store.ListAttemptsAsync(new AttemptQuery { MessageId = "msg_1" }, None)).Items.Count);
        Assert.True(await Queue.CompleteAsync(retaken, ContractData.Succeeded(retaken.Delivery), None));
    }

    [Fact]
    public async Task Ending_leases_refuses_bad_ends_and_writes_nothing()
    {
        await PublishAsync("msg_1", "dlv_1", "dlv_2");
        var leases = (await Queue.LeaseAsync(10, LeaseDuration, None)).ToDictionary(l => l.Delivery.Id);
        var good = new LeaseEnd(leases["dlv_1"], ContractData.Succeeded(leases["dlv_1"].Delivery), AttemptOf(leases["dlv_1"], succeeded: true));

        var stillDispatched = await Assert.ThrowsAsync<ArgumentException>(() => Queue.EndLeasesAsync(
            [good, new LeaseEnd(leases["dlv_2"], leases["dlv_2"].Delivery)], None));
        var twice = await Assert.ThrowsAsync<ArgumentException>(() => Queue.EndLeasesAsync([good, good], None));
        var otherAttempt = await Assert.ThrowsAsync<ArgumentException>(() => Queue.EndLeasesAsync(
            [good, new LeaseEnd(leases["dlv_2"], ContractData.Succeeded(leases["dlv_2"].Delivery), AttemptOf(leases["dlv_1"], succeeded: true))], None));

        Assert.Contains("not Dispatched", stillDispatched.Message, StringComparison.Ordinal);
        Assert.Contains("appears twice", twice.Message, StringComparison.Ordinal);
        Assert.Contains("not of 'dlv_2'", otherAttempt.Message, StringComparison.Ordinal);
        Assert.All(await Task.WhenAll(Store.GetDeliveryAsync("dlv_1", None), Store.GetDeliveryAsync("dlv_2", None)), d => Assert.Equal(DeliveryStatus.Dispatched, d!.Status));
        Assert.Empty((await Store.ListAttemptsAsync(new AttemptQuery { MessageId = "msg_1" }, None)).Items);
        Assert.Empty(await Queue.EndLeasesAsync([], None));
    }

    private DeliveryAttempt AttemptOf(DeliveryLease lease, bool succeeded) =>
        ContractData.Attempt(Guid.CreateVersion7(), Clock.GetUtcNow(), lease.Delivery.SubscriptionId, succeeded) with
        {
            DeliveryId = lease.Delivery.Id,
            MessageId = lease.Delivery.MessageId,
        };
}
