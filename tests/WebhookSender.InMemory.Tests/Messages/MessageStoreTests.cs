using WebhookSender.StoreContract;

namespace WebhookSender.InMemory.Tests.Messages;

public sealed class MessageStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_pending_cap_refuses_work_and_stores_nothing()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxPendingDeliveries = 3);
        await store.PublishAsync("msg_1", "dlv_1", "dlv_2");

        var refused = await Assert.ThrowsAsync<WebhookCapacityExceededException>(() => store.PublishAsync("msg_2", "dlv_3", "dlv_4"));
        await Assert.ThrowsAsync<WebhookCapacityExceededException>(
            () => store.AddDeliveriesAsync([ContractData.Delivery("dlv_5", "msg_1"), ContractData.Delivery("dlv_6", "msg_1")], None));

        Assert.Equal(
            "The in-memory store holds 2 pending deliveries and its limit is 3 (InMemoryStoreOptions.MaxPendingDeliveries); " +
            "publishing 2 more was refused and nothing was stored. Slow down publishing, raise the limit, or use a durable store.",
            refused.Message);
        Assert.Null(await store.GetMessageAsync("msg_2", None));
        Assert.Null(await store.GetDeliveryAsync("dlv_3", None));
        Assert.Null(await store.GetDeliveryAsync("dlv_5", None));
        Assert.Equal(2, (await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Count);
    }

    [Fact]
    public async Task Completed_deliveries_free_room_under_the_pending_cap()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxPendingDeliveries = 3);
        await store.PublishAsync("msg_1", "dlv_1", "dlv_2");
        await store.LeaseAndSucceedAsync("dlv_1");

        await store.PublishAsync("msg_2", "dlv_3", "dlv_4");

        Assert.NotNull(await store.GetMessageAsync("msg_2", None));
        await Assert.ThrowsAsync<WebhookCapacityExceededException>(() => store.PublishAsync("msg_3", "dlv_5"));
    }

    [Fact]
    public async Task Retention_drops_the_oldest_completed_messages_but_never_one_with_a_pending_delivery()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock, o => o.MaxRetainedMessages = 2);
        for (int i = 1; i <= 4; i++)
        {
            var createdAt = TestData.Start.AddMinutes(i);
            await store.AddMessageAsync(
                ContractData.Message($"msg_{i}", createdAt, idempotencyKey: $"key_{i}"), [ContractData.Delivery($"dlv_{i}", $"msg_{i}", createdAt: createdAt)], None);
        }

        // msg_1 is the oldest but keeps a pending delivery; msg_2..4 complete in turn.
        await store.LeaseAndSucceedAsync("dlv_2");
        await store.LeaseAndSucceedAsync("dlv_3");
        await store.LeaseAndSucceedAsync("dlv_4");

        Assert.NotNull(await store.GetMessageAsync("msg_1", None));
        Assert.NotNull(await store.GetDeliveryAsync("dlv_1", None));
        Assert.Null(await store.GetMessageAsync("msg_2", None));
        Assert.Null(await store.GetDeliveryAsync("dlv_2", None));
        Assert.Null(await store.GetMessageAsync("msg_3", None));
        Assert.Null(await store.GetDeliveryAsync("dlv_3", None));
        Assert.NotNull(await store.GetMessageAsync("msg_4", None));
        Assert.Equal(["dlv_4", "dlv_1"], (await store.ListDeliveriesAsync(new DeliveryQuery(), None)).Items.Select(d => d.Id));

        // A dropped message's idempotency key is free again; the newest completed message goes when room is needed.
        var reused = await store.AddMessageAsync(ContractData.Message("msg_5", TestData.Start.AddMinutes(5), idempotencyKey: "key_2"), [], None);
        Assert.Equal("msg_5", reused.Id);
        Assert.Null(await store.GetMessageAsync("msg_4", None));
        Assert.NotNull(await store.GetMessageAsync("msg_1", None));
    }

    [Fact]
    public async Task A_message_with_a_new_pending_delivery_is_kept_again()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxRetainedMessages = 1);
        await store.AddMessageAsync(ContractData.Message("msg_1", TestData.Start), [ContractData.Delivery("dlv_1", "msg_1")], None);
        await store.LeaseAndSucceedAsync("dlv_1");
        await store.AddDeliveriesAsync([ContractData.Delivery("dlv_1_again", "msg_1")], None);

        await store.AddMessageAsync(ContractData.Message("msg_2", TestData.Start.AddMinutes(1)), [], None);

        Assert.NotNull(await store.GetMessageAsync("msg_1", None));
        Assert.Null(await store.GetMessageAsync("msg_2", None));
    }

}
