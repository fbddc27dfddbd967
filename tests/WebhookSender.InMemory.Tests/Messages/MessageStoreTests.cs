namespace WebhookSender.InMemory.Tests.Messages;

public sealed class MessageStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_known_idempotency_key_returns_the_stored_message_and_stores_nothing()
    {
        var store = TestData.Store(TestData.Clock());
        var first = TestData.Message("msg_1", tenantId: "t1", idempotencyKey: "order-42");
        await store.AddMessageAsync(first, [TestData.Delivery("dlv_1", "msg_1")], None);

        var again = await store.AddMessageAsync(
            TestData.Message("msg_2", tenantId: "t1", idempotencyKey: "order-42"), [TestData.Delivery("dlv_2", "msg_2")], None);
        var otherTenant = await store.AddMessageAsync(
            TestData.Message("msg_3", tenantId: "t2", idempotencyKey: "order-42"), [TestData.Delivery("dlv_3", "msg_3")], None);

        Assert.Same(first, again);
        Assert.Null(await store.GetMessageAsync("msg_2", None));
        Assert.Null(await store.GetDeliveryAsync("dlv_2", None));
        Assert.Equal("msg_3", otherTenant.Id);
        Assert.NotNull(await store.GetMessageAsync("msg_3", None));
        Assert.Equal(["dlv_1", "dlv_3"], (await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Select(l => l.Delivery.Id));
    }

    [Fact]
    public async Task The_pending_cap_refuses_work_and_stores_nothing()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxPendingDeliveries = 3);
        await store.PublishAsync("msg_1", "dlv_1", "dlv_2");

        var refused = await Assert.ThrowsAsync<WebhookCapacityExceededException>(() => store.PublishAsync("msg_2", "dlv_3", "dlv_4"));
        await Assert.ThrowsAsync<WebhookCapacityExceededException>(
            () => store.AddDeliveriesAsync([TestData.Delivery("dlv_5", "msg_1"), TestData.Delivery("dlv_6", "msg_1")], None));

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
                TestData.Message($"msg_{i}", createdAt, idempotencyKey: $"key_{i}"), [TestData.Delivery($"dlv_{i}", $"msg_{i}", createdAt: createdAt)], None);
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
        var reused = await store.AddMessageAsync(TestData.Message("msg_5", TestData.Start.AddMinutes(5), idempotencyKey: "key_2"), [], None);
        Assert.Equal("msg_5", reused.Id);
        Assert.Null(await store.GetMessageAsync("msg_4", None));
        Assert.NotNull(await store.GetMessageAsync("msg_1", None));
    }

    [Fact]
    public async Task A_message_with_a_new_pending_delivery_is_kept_again()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxRetainedMessages = 1);
        await store.AddMessageAsync(TestData.Message("msg_1", TestData.Start), [TestData.Delivery("dlv_1", "msg_1")], None);
        await store.LeaseAndSucceedAsync("dlv_1");
        await store.AddDeliveriesAsync([TestData.Delivery("dlv_1_again", "msg_1")], None);

        await store.AddMessageAsync(TestData.Message("msg_2", TestData.Start.AddMinutes(1)), [], None);

        Assert.NotNull(await store.GetMessageAsync("msg_1", None));
        Assert.Null(await store.GetMessageAsync("msg_2", None));
    }

    [Fact]
    public async Task Duplicate_ids_and_foreign_deliveries_are_refused_without_storing_anything()
    {
        var store = TestData.Store(TestData.Clock());
        await store.PublishAsync("msg_1", "dlv_1");

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync("msg_1", "dlv_new"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync("msg_2", "dlv_1"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync("msg_3", "dlv_x", "dlv_x"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessageAsync(TestData.Message("msg_4"), [TestData.Delivery("dlv_4", "msg_1")], None));

        Assert.Null(await store.GetDeliveryAsync("dlv_new", None));
        Assert.Null(await store.GetMessageAsync("msg_2", None));
        Assert.Null(await store.GetMessageAsync("msg_3", None));
        Assert.Null(await store.GetMessageAsync("msg_4", None));
        Assert.Single(await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
    }

    [Fact]
    public async Task Deliveries_are_listed_newest_first_with_filters_and_a_cursor()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        var start = TestData.Start;
        await store.AddMessageAsync(TestData.Message("msg_1"), [
            TestData.Delivery("dlv_1", "msg_1", subscriptionId: "sub_a", createdAt: start),
            TestData.Delivery("dlv_2", "msg_1", subscriptionId: "sub_b", createdAt: start.AddSeconds(1)),
            TestData.Delivery("dlv_3", "msg_1", subscriptionId: "sub_a", createdAt: start.AddSeconds(2)),
        ], None);
        await store.AddMessageAsync(TestData.Message("msg_2"), [
            TestData.Delivery("dlv_4", "msg_2", subscriptionId: "sub_a", createdAt: start.AddSeconds(3)),
            TestData.Delivery("dlv_5", "msg_2", subscriptionId: "sub_a", createdAt: start.AddSeconds(3), status: DeliveryStatus.Failed),
        ], None);

        var all = await store.ListDeliveriesAsync(new DeliveryQuery { Limit = 3 }, None);
        var rest = await store.ListDeliveriesAsync(new DeliveryQuery { Limit = 3, Cursor = all.NextCursor }, None);
        var subA = await store.ListDeliveriesAsync(new DeliveryQuery { SubscriptionId = "sub_a", Status = DeliveryStatus.Queued }, None);
        var window = await store.ListDeliveriesAsync(new DeliveryQuery { Since = start.AddSeconds(1), Until = start.AddSeconds(3) }, None);
        var byMessage = await store.ListDeliveriesAsync(new DeliveryQuery { MessageId = "msg_1", Limit = 2 }, None);
        var byMessageRest = await store.ListDeliveriesAsync(new DeliveryQuery { MessageId = "msg_1", Limit = 2, Cursor = byMessage.NextCursor }, None);

        Assert.Equal(["dlv_5", "dlv_4", "dlv_3"], all.Items.Select(d => d.Id));
        Assert.Equal(["dlv_2", "dlv_1"], rest.Items.Select(d => d.Id));
        Assert.Null(rest.NextCursor);
        Assert.Equal(["dlv_4", "dlv_3", "dlv_1"], subA.Items.Select(d => d.Id));
        Assert.Equal(["dlv_3", "dlv_2"], window.Items.Select(d => d.Id));
        Assert.Equal(["dlv_3", "dlv_2"], byMessage.Items.Select(d => d.Id));
        Assert.Equal(["dlv_1"], byMessageRest.Items.Select(d => d.Id));
    }

    [Theory]
    [InlineData("not base64 !")]
    [InlineData("bm8tY29sb24")]
    [InlineData("eDpkbHZfMQ")]
    public async Task An_invalid_cursor_is_refused_with_a_clear_message(string cursor)
    {
        var store = TestData.Store(TestData.Clock());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.ListDeliveriesAsync(new DeliveryQuery { Cursor = cursor }, None));

        Assert.Equal("query", error.ParamName);
        Assert.Contains("NextCursor", error.Message, StringComparison.Ordinal);
    }
}
