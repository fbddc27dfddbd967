namespace WebhookSender.StoreContract;

/// <summary><see cref="IWebhookStore.AddMessageAndLeaseAsync"/>: a message stored with its deliveries already leased.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_message_added_leased_holds_its_deliveries_under_leases_that_end_and_lapse_like_any_other()
    {
        var deliveries = new[] { ContractData.Delivery("dlv_1", "msg_1"), ContractData.Delivery("dlv_2", "msg_1") };

        var stored = await Store.AddMessageAndLeaseAsync(ContractData.Message("msg_1"), deliveries, LeaseDuration, None);

        Assert.Equal("msg_1", stored.Message.Id);
        Assert.Equal(["dlv_1", "dlv_2"], stored.Leases.Select(l => l.Delivery.Id));
        Assert.All(stored.Leases, l => Assert.Equal((DeliveryStatus.Dispatched, Clock.GetUtcNow() + LeaseDuration), (l.Delivery.Status, l.ExpiresAt)));
        Assert.Equal(2, stored.Leases.Select(l => l.LeaseId).Distinct().Count());
        Assert.Equal(DeliveryStatus.Dispatched, (await Store.GetDeliveryAsync("dlv_1", None))!.Status);

        // Held: nobody else leases them, and the holder ends them as it would any lease.
        Assert.Empty(await Queue.LeaseAsync(10, LeaseDuration, None));
        Assert.True(await Queue.CompleteAsync(stored.Leases[0], ContractData.Succeeded(stored.Leases[0].Delivery), None));
        Assert.Equal(DeliveryStatus.Succeeded, (await Store.GetDeliveryAsync("dlv_1", None))!.Status);

        // Lapsed: the other comes back to the queue, and its first holder can no longer end it.
        Clock.Advance(LeaseDuration);
        var retaken = Assert.Single(await Queue.LeaseAsync(10, LeaseDuration, None));
        Assert.Equal("dlv_2", retaken.Delivery.Id);
        Assert.False(await Queue.CompleteAsync(stored.Leases[1], ContractData.Succeeded(stored.Leases[1].Delivery), None));
    }

    [Fact]
    public async Task A_message_added_leased_with_a_known_idempotency_key_stores_and_leases_nothing()
    {
        await Store.AddMessageAsync(ContractData.Message("msg_1", idempotencyKey: "order-7"), [ContractData.Delivery("dlv_1", "msg_1")], None);

        var again = await Store.AddMessageAndLeaseAsync(
            ContractData.Message("msg_2", idempotencyKey: "order-7"), [ContractData.Delivery("dlv_2", "msg_2")], LeaseDuration, None);

        Assert.Equal("msg_1", again.Message.Id);
        Assert.Empty(again.Leases);
        Assert.Null(await Store.GetDeliveryAsync("dlv_2", None));
    }

    [Fact]
    public async Task Adding_leased_refuses_batched_or_finished_deliveries_and_a_bad_duration_and_stores_nothing()
    {
        var batched = await Assert.ThrowsAsync<ArgumentException>(() => Store.AddMessageAndLeaseAsync(
            ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1") with { BatchKey = "sub_a@1" }], LeaseDuration, None));
        var finished = await Assert.ThrowsAsync<ArgumentException>(() => Store.AddMessageAndLeaseAsync(
            ContractData.Message("msg_1"), [ContractData.Succeeded(ContractData.Delivery("dlv_1", "msg_1"))], LeaseDuration, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.AddMessageAndLeaseAsync(
            ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1")], TimeSpan.Zero, None));

        Assert.Contains("batched", batched.Message, StringComparison.Ordinal);
        Assert.Contains("Use AddMessageAsync", finished.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetMessageAsync("msg_1", None));
    }
}
