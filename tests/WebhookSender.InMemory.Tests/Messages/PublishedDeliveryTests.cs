using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.StoreContract;
using WebhookSender.Storage;

namespace WebhookSender.InMemory.Tests.Messages;

/// <summary>
/// Deliveries stored through the publisher, which the store keeps compactly (no record until read), behave like
/// deliveries stored as records.
/// </summary>
public sealed class PublishedDeliveryTests : IDisposable
{
    private const string EventType = "order.created";
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly FakeTimeProvider _clock = TestData.Clock();
    private ServiceProvider? _services;

    [Fact]
    public async Task Published_deliveries_read_back_as_queued_records_of_their_subscriptions()
    {
        var (publisher, store) = await StartAsync(
            ContractData.Subscription("sub_a", eventTypes: [EventType]),
            ContractData.Subscription("sub_b", eventTypes: [EventType]) with { Batching = new WebhookBatching { Window = TimeSpan.FromMinutes(1) } },
            // Its filter refuses the event; it comes first among the candidates, which are ordered by id.
            ContractData.Subscription("sub_0", eventTypes: [EventType]) with { Filters = new Dictionary<string, IReadOnlyList<string>> { ["region"] = ["eu"] } });

        var result = await publisher.PublishAsync(new WebhookEvent(EventType, new { id = 1 }));
        var listed = await store.ListDeliveriesAsync(new DeliveryQuery { MessageId = result.MessageId }, None);

        Assert.Equal(2, result.DeliveryCount);
        var plain = Assert.Single(listed.Items, d => d.SubscriptionId == "sub_a");
        var batched = Assert.Single(listed.Items, d => d.SubscriptionId == "sub_b");
        Assert.Matches("^dlv_[0-9a-f]{32}$", plain.Id);
        Assert.Equal(
            new WebhookDelivery
            {
                Id = plain.Id,
                MessageId = result.MessageId,
                SubscriptionId = "sub_a",
                EventType = EventType,
                DueAt = TestData.Start,
                CreatedAt = TestData.Start,
            },
            plain);
        Assert.Equal(TestData.Start.AddMinutes(1), batched.DueAt);
        Assert.Equal($"sub_b@{TestData.Start.AddMinutes(1).UtcTicks}", batched.BatchKey);
        Assert.Equal(plain, await store.GetDeliveryAsync(plain.Id, None));
        Assert.Equal(batched, await store.GetDeliveryAsync(batched.Id, None));
        Assert.Equal([plain.Id], (await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Select(l => l.Delivery.Id));
    }

    [Fact]
    public async Task Deliveries_stored_in_one_tick_list_newest_first_by_id_across_pages()
    {
        var (publisher, store) = await StartAsync(
            ContractData.Subscription("sub_a", eventTypes: [EventType]),
            ContractData.Subscription("sub_b", eventTypes: [EventType]),
            ContractData.Subscription("sub_c", eventTypes: [EventType]));

        // The clock stands still: three publishes and a message stored as records share one creation time.
        for (int i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(new WebhookEvent(EventType, new { id = i }));
        }

        await store.AddMessageAsync(
            ContractData.Message("msg_records"),
            [ContractData.Delivery("dlv_zz", "msg_records"), ContractData.Delivery("dlv_0", "msg_records")],
            None);

        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = await store.ListDeliveriesAsync(new DeliveryQuery { Limit = 4, Cursor = cursor }, None);
            listed.AddRange(page.Items.Select(d => d.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(11, listed.Count);
        Assert.Equal(listed.Order(StringComparer.Ordinal).Reverse(), listed);
        Assert.Equal("dlv_zz", listed[0]);
        Assert.Equal("dlv_0", listed[^1]);
    }

    [Fact]
    public async Task Retention_drops_published_deliveries_with_their_message()
    {
        var (publisher, store) = await StartAsync(
            o => o.MaxRetainedMessages = 1,
            ContractData.Subscription("sub_a", eventTypes: [EventType]),
            ContractData.Subscription("sub_b", eventTypes: [EventType]));
        var first = await publisher.PublishAsync(new WebhookEvent(EventType, new { id = 1 }));
        var firstIds = (await store.ListDeliveriesAsync(new DeliveryQuery { MessageId = first.MessageId }, None)).Items.Select(d => d.Id).ToList();
        await CompleteEverythingAsync(store);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = await publisher.PublishAsync(new WebhookEvent(EventType, new { id = 2 }));

        Assert.Null(await store.GetMessageAsync(first.MessageId, None));
        foreach (string id in firstIds)
        {
            Assert.Null(await store.GetDeliveryAsync(id, None));
        }

        var all = await store.ListDeliveriesAsync(new DeliveryQuery(), None);
        Assert.Equal(2, all.Items.Count);
        Assert.All(all.Items, d => Assert.Equal(second.MessageId, d.MessageId));
        Assert.Equal(2, (await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Count);
    }

    [Fact]
    public async Task Every_state_a_lease_ends_with_reads_back_exactly_as_it_was_written()
    {
        // The store keeps what fits its compact form without a record, and the rest as records: both must read back the
        // same, offsets included (record equality compares instants, not offsets).
        var (publisher, store) = await StartAsync(ContractData.Subscription("sub_a", eventTypes: [EventType]));
        var inTwoHours = TestData.Start.ToOffset(TimeSpan.FromHours(2));
        var start = TestData.Start;
        var states = new Func<WebhookDelivery, WebhookDelivery>[]
        {
            d => d with { Status = DeliveryStatus.Succeeded, AttemptCount = 1, LastAttemptAt = start, LastStatusCode = 204, CompletedAt = start.AddSeconds(1) },
            d => d with { Status = DeliveryStatus.Queued, AttemptCount = 3, Trigger = AttemptTrigger.Manual, LastAttemptAt = start, DueAt = start.AddMinutes(5) },
            d => d with { Status = DeliveryStatus.Failed, AttemptCount = 2, LastAttemptAt = start, CompletedAt = start },
            // Each of these differs from the compact form in one field only.
            d => d with { Status = DeliveryStatus.Failed, AttemptCount = 1, LastAttemptAt = inTwoHours, CompletedAt = start },
            d => d with { Status = DeliveryStatus.Failed, AttemptCount = 1, LastAttemptAt = start, CompletedAt = inTwoHours },
            d => d with { Status = DeliveryStatus.Failed, AttemptCount = 1, LastAttemptAt = start, CompletedAt = start, DueAt = inTwoHours },
            d => d with { Status = DeliveryStatus.Failed, AttemptCount = 1, LastAttemptAt = DateTimeOffset.MinValue, CompletedAt = start },
            d => d with { Status = DeliveryStatus.Failed, AttemptCount = 1, LastAttemptAt = start, CompletedAt = DateTimeOffset.MinValue },
            d => d with { Status = DeliveryStatus.Succeeded, AttemptCount = 1, LastStatusCode = int.MinValue, CompletedAt = start },
            d => d with { Status = DeliveryStatus.Succeeded, AttemptCount = 1, CompletedAt = start, BatchKey = "msg_sealed" },
        };

        foreach (var state in states)
        {
            var published = await publisher.PublishAsync(new WebhookEvent(EventType, new { id = 1 }));
            var lease = Assert.Single(await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
            Assert.Equal(DeliveryStatus.Dispatched, (await store.GetDeliveryAsync(lease.Delivery.Id, None))!.Status);
            var written = state(lease.Delivery);

            Assert.Equal([true], await ((IDeliveryQueue)store).EndLeasesAsync([new LeaseEnd(lease, written)], None));

            var read = await store.GetDeliveryAsync(written.Id, None);
            Assert.Equal(written, read);
            Assert.Equal(written.LastAttemptAt?.Offset, read!.LastAttemptAt?.Offset);
            Assert.Equal(written.CompletedAt?.Offset, read.CompletedAt?.Offset);
            Assert.Equal(written.DueAt.Offset, read.DueAt.Offset);
            Assert.Equal(written, Assert.Single((await store.ListDeliveriesAsync(new DeliveryQuery { MessageId = published.MessageId }, None)).Items));
            if (written.Status == DeliveryStatus.Queued)
            {
                _clock.Advance(TimeSpan.FromMinutes(5));
                var again = Assert.Single(await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
                Assert.Equal(written with { Status = DeliveryStatus.Dispatched }, again.Delivery);
                Assert.True(await ((IDeliveryQueue)store).CompleteAsync(again, TestData.Succeeded(again.Delivery), None));
            }
        }
    }

    [Fact]
    public async Task The_pending_cap_refuses_a_publish_whole()
    {
        var (publisher, store) = await StartAsync(
            o => o.MaxPendingDeliveries = 2,
            ContractData.Subscription("sub_a", eventTypes: [EventType]),
            ContractData.Subscription("sub_b", eventTypes: [EventType]),
            ContractData.Subscription("sub_c", eventTypes: [EventType]));

        await Assert.ThrowsAsync<WebhookCapacityExceededException>(() => publisher.PublishAsync(new WebhookEvent(EventType, new { id = 1 })));

        Assert.Empty((await store.ListDeliveriesAsync(new DeliveryQuery(), None)).Items);
        Assert.Empty(await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
    }

    public void Dispose() => _services?.Dispose();

    private Task<(IWebhookPublisher Publisher, InMemoryWebhookStore Store)> StartAsync(params WebhookSubscription[] subscriptions) =>
        StartAsync(_ => { }, subscriptions);

    private async Task<(IWebhookPublisher Publisher, InMemoryWebhookStore Store)> StartAsync(
        Action<InMemoryStoreOptions> configure, params WebhookSubscription[] subscriptions)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddWebhooks().AddEventType(EventType, "An order was created").AddInMemoryStore(configure);
        _services = services.BuildServiceProvider();
        var store = (InMemoryWebhookStore)_services.GetRequiredService<IWebhookStore>();
        foreach (var subscription in subscriptions)
        {
            await store.AddSubscriptionAsync(subscription, None);
        }

        return (_services.GetRequiredService<IWebhookPublisher>(), store);
    }

    private static async Task CompleteEverythingAsync(InMemoryWebhookStore store)
    {
        foreach (var lease in await store.LeaseAsync(100, TimeSpan.FromMinutes(1), None))
        {
            Assert.True(await ((IDeliveryQueue)store).CompleteAsync(lease, TestData.Succeeded(lease.Delivery), None));
        }
    }
}
