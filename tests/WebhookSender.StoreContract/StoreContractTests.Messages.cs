using System.Text.Json;

namespace WebhookSender.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Message_round_trips_data_context_attributes_and_trace_context()
    {
        var message = ContractData.Message("msg_1", tenantId: "t1", idempotencyKey: "order-42") with
        {
            EventType = "order.updated",
            Timestamp = ContractData.Start.AddTicks(-1234567),
            Data = JsonSerializer.SerializeToElement(new { orderId = 1042, total = 99.5, lines = new[] { new { sku = "A-1", qty = 2 } }, note = "ü \"q\"" }),
            Context = JsonSerializer.SerializeToElement(new { sender = new { id = 7 }, project = "p" }),
            Attributes = new Dictionary<string, string> { ["campaign"] = "42", ["region"] = "eu" },
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        };

        await Store.AddMessageAsync(message, [], None);
        var stored = await Store.GetMessageAsync("msg_1", None);

        Assert.NotNull(stored);
        Assert.Equal(Json(message), Json(stored));
        Assert.Equal(message.Timestamp, stored.Timestamp);
        Assert.Equal(message.TraceParent, stored.TraceParent);
        Assert.Null(await Store.GetMessageAsync("msg_missing", None));
    }

    [Fact]
    public async Task A_message_published_outside_any_trace_has_no_trace_context()
    {
        await Store.AddMessageAsync(ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1")], None);

        Assert.Null((await Store.GetMessageAsync("msg_1", None))!.TraceParent);
    }

    [Fact]
    public async Task Delivery_round_trips_every_field()
    {
        var delivery = ContractData.Delivery("dlv_1", "msg_1", tenantId: "t1", createdAt: ContractData.Start.AddTicks(7)) with
        {
            Trigger = AttemptTrigger.Manual,
            Status = DeliveryStatus.Failed,
            AttemptCount = 4,
            DueAt = ContractData.Start.AddMinutes(3).AddTicks(1),
            LastAttemptAt = ContractData.Start.AddMinutes(2),
            LastStatusCode = 503,
            CompletedAt = ContractData.Start.AddMinutes(4),
            BatchKey = "sub_a@123",
            OrderKey = "sub_a",
            HoldReason = "Over the endpoint's rate limit of 5 per 1 s (burst 5); it waits its turn.",
        };

        await Store.AddMessageAsync(ContractData.Message("msg_1"), [delivery], None);

        Assert.Equal(delivery, await Store.GetDeliveryAsync("dlv_1", None));
        Assert.Null(await Store.GetDeliveryAsync("dlv_missing", None));
    }

    [Fact]
    public async Task A_known_idempotency_key_returns_the_stored_message_and_stores_nothing()
    {
        var first = ContractData.Message("msg_1", tenantId: "t1", idempotencyKey: "order-42");
        await Store.AddMessageAsync(first, [ContractData.Delivery("dlv_1", "msg_1")], None);

        var again = await Store.AddMessageAsync(
            ContractData.Message("msg_2", tenantId: "t1", idempotencyKey: "order-42"), [ContractData.Delivery("dlv_2", "msg_2")], None);
        var otherTenant = await Store.AddMessageAsync(
            ContractData.Message("msg_3", tenantId: "t2", idempotencyKey: "order-42"), [ContractData.Delivery("dlv_3", "msg_3")], None);
        var noTenant = await Store.AddMessageAsync(
            ContractData.Message("msg_4", idempotencyKey: "order-42"), [ContractData.Delivery("dlv_4", "msg_4")], None);
        var noTenantAgain = await Store.AddMessageAsync(
            ContractData.Message("msg_5", idempotencyKey: "order-42"), [ContractData.Delivery("dlv_5", "msg_5")], None);

        Assert.Equal("msg_1", again.Id);
        Assert.Equal("msg_3", otherTenant.Id);
        Assert.Equal("msg_4", noTenant.Id);
        Assert.Equal("msg_4", noTenantAgain.Id);
        Assert.Null(await Store.GetMessageAsync("msg_2", None));
        Assert.Null(await Store.GetDeliveryAsync("dlv_2", None));
        Assert.Null(await Store.GetMessageAsync("msg_5", None));
        Assert.Equal(["dlv_1", "dlv_3", "dlv_4"], (await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Select(l => l.Delivery.Id));
    }

    [Fact]
    public async Task Concurrent_publishes_with_one_idempotency_key_store_one_message()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => Store.AddMessageAsync(
            ContractData.Message($"msg_{i}", idempotencyKey: "same"), [ContractData.Delivery($"dlv_{i}", $"msg_{i}")], None))));

        string winner = Assert.Single(results.Select(m => m.Id).Distinct());
        Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        Assert.NotNull(await Store.GetMessageAsync(winner, None));
    }

    [Fact]
    public async Task Concurrent_publishes_keep_their_own_outcomes_when_one_of_them_fails()
    {
        // Stores may write concurrent publishes together (SQLite: one transaction); a bad one must fail only itself.
        await PublishAsync("msg_old", "dlv_taken");
        // The bad one late, so that it is likely queued behind others.
        var publishes = Enumerable.Range(0, 40).Select(i => Task.Run(() => Store.AddMessageAsync(
            ContractData.Message($"msg_{i}", idempotencyKey: i is 31 or 32 ? "twice" : null),
            [ContractData.Delivery(i == 30 ? "dlv_taken" : $"dlv_{i}", $"msg_{i}")],
            None))).ToList();

        await Assert.ThrowsAsync<InvalidOperationException>(() => publishes[30]);
        var stored = await Task.WhenAll(publishes.Where((_, i) => i != 30));

        Assert.Single(stored.Where(m => m.IdempotencyKey == "twice").Select(m => m.Id).Distinct());
        Assert.Null(await Store.GetMessageAsync("msg_30", None));
        var leased = await Queue.LeaseAsync(100, TimeSpan.FromMinutes(1), None);
        Assert.Equal(1 + 37 + 1, leased.Count); // the earlier one, 37 without a key, one of the pair
        Assert.All(stored, m => Assert.Contains(leased, l => l.Delivery.MessageId == m.Id));
    }

    [Fact]
    public async Task Duplicate_ids_and_foreign_deliveries_are_refused_without_storing_anything()
    {
        await PublishAsync("msg_1", "dlv_1");

        await Assert.ThrowsAsync<InvalidOperationException>(() => PublishAsync("msg_1", "dlv_new"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => PublishAsync("msg_2", "dlv_1"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => PublishAsync("msg_3", "dlv_x", "dlv_x"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AddMessageAsync(ContractData.Message("msg_4"), [ContractData.Delivery("dlv_4", "msg_1")], None));

        Assert.Null(await Store.GetDeliveryAsync("dlv_new", None));
        Assert.Null(await Store.GetMessageAsync("msg_2", None));
        Assert.Null(await Store.GetMessageAsync("msg_3", None));
        Assert.Null(await Store.GetMessageAsync("msg_4", None));
        Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
    }

    [Fact]
    public async Task Deliveries_of_an_unknown_message_are_refused()
    {
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.AddDeliveriesAsync([ContractData.Delivery("dlv_1", "msg_missing")], None));

        Assert.Null(await Store.GetDeliveryAsync("dlv_1", None));
    }

    [Fact]
    public async Task Deliveries_are_listed_newest_first_with_filters_and_a_cursor()
    {
        var start = ContractData.Start;
        await Store.AddMessageAsync(ContractData.Message("msg_1"), [
            ContractData.Delivery("dlv_1", "msg_1", subscriptionId: "sub_a", createdAt: start, tenantId: "t1"),
            ContractData.Delivery("dlv_2", "msg_1", subscriptionId: "sub_b", createdAt: start.AddSeconds(1)),
            ContractData.Delivery("dlv_3", "msg_1", subscriptionId: "sub_a", createdAt: start.AddSeconds(2)),
        ], None);
        await Store.AddMessageAsync(ContractData.Message("msg_2"), [
            ContractData.Delivery("dlv_4", "msg_2", subscriptionId: "sub_a", createdAt: start.AddSeconds(3)),
            ContractData.Delivery("dlv_5", "msg_2", subscriptionId: "sub_a", createdAt: start.AddSeconds(3), status: DeliveryStatus.Failed),
        ], None);

        var all = await Store.ListDeliveriesAsync(new DeliveryQuery { Limit = 3 }, None);
        var rest = await Store.ListDeliveriesAsync(new DeliveryQuery { Limit = 3, Cursor = all.NextCursor }, None);
        var subA = await Store.ListDeliveriesAsync(new DeliveryQuery { SubscriptionId = "sub_a", Status = DeliveryStatus.Queued }, None);
        var window = await Store.ListDeliveriesAsync(new DeliveryQuery { Since = start.AddSeconds(1), Until = start.AddSeconds(3) }, None);
        var byMessage = await Store.ListDeliveriesAsync(new DeliveryQuery { MessageId = "msg_1", Limit = 2 }, None);
        var byMessageRest = await Store.ListDeliveriesAsync(new DeliveryQuery { MessageId = "msg_1", Limit = 2, Cursor = byMessage.NextCursor }, None);
        var byTenant = await Store.ListDeliveriesAsync(new DeliveryQuery { TenantId = "t1" }, None);

        Assert.Equal(["dlv_5", "dlv_4", "dlv_3"], all.Items.Select(d => d.Id));
        Assert.Equal(["dlv_2", "dlv_1"], rest.Items.Select(d => d.Id));
        Assert.Null(rest.NextCursor);
        Assert.Equal(["dlv_4", "dlv_3", "dlv_1"], subA.Items.Select(d => d.Id));
        Assert.Equal(["dlv_3", "dlv_2"], window.Items.Select(d => d.Id));
        Assert.Equal(["dlv_3", "dlv_2"], byMessage.Items.Select(d => d.Id));
        Assert.Equal(["dlv_1"], byMessageRest.Items.Select(d => d.Id));
        Assert.Equal(["dlv_1"], byTenant.Items.Select(d => d.Id));
    }

    [Theory]
    [InlineData("not base64 !")]
    [InlineData("bm8tY29sb24")]
    [InlineData("eDpkbHZfMQ")]
    public async Task An_invalid_cursor_is_refused_with_a_clear_message(string cursor)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.ListDeliveriesAsync(new DeliveryQuery { Cursor = cursor }, None));

        Assert.Equal("query", error.ParamName);
        Assert.Contains("NextCursor", error.Message, StringComparison.Ordinal);
    }
}
