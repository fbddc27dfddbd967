namespace WebhookSender.InMemory.Tests.Queue;

public sealed class LeaseTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Lease_returns_only_due_deliveries_earliest_first()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        var now = clock.GetUtcNow();
        await store.AddMessageAsync(
            TestData.Message("msg_1"),
            [
                TestData.Delivery("dlv_late", "msg_1", dueAt: now.AddMinutes(5)),
                TestData.Delivery("dlv_now", "msg_1", dueAt: now),
                TestData.Delivery("dlv_early", "msg_1", dueAt: now.AddMinutes(-2)),
                TestData.Delivery("dlv_mid", "msg_1", dueAt: now.AddMinutes(-1)),
            ],
            None);

        var leases = await store.LeaseAsync(10, LeaseDuration, None);

        Assert.Equal(["dlv_early", "dlv_mid", "dlv_now"], leases.Select(l => l.Delivery.Id));
        Assert.All(leases, l => Assert.Equal(DeliveryStatus.Dispatched, l.Delivery.Status));
        Assert.All(leases, l => Assert.Equal(now + LeaseDuration, l.ExpiresAt));
        Assert.Equal(3, leases.Select(l => l.LeaseId).Distinct().Count());
        Assert.Equal(DeliveryStatus.Dispatched, (await store.GetDeliveryAsync("dlv_now", None))!.Status);
        Assert.Equal(DeliveryStatus.Queued, (await store.GetDeliveryAsync("dlv_late", None))!.Status);
    }

    [Fact]
    public async Task Lease_respects_max_count()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        var now = clock.GetUtcNow();
        await store.AddMessageAsync(
            TestData.Message("msg_1"),
            [.. Enumerable.Range(1, 5).Select(i => TestData.Delivery($"dlv_{i}", "msg_1", dueAt: now.AddSeconds(-10 + i)))],
            None);

        var first = await store.LeaseAsync(2, LeaseDuration, None);
        var second = await store.LeaseAsync(10, LeaseDuration, None);
        var third = await store.LeaseAsync(10, LeaseDuration, None);

        Assert.Equal(["dlv_1", "dlv_2"], first.Select(l => l.Delivery.Id));
        Assert.Equal(["dlv_3", "dlv_4", "dlv_5"], second.Select(l => l.Delivery.Id));
        Assert.Empty(third);
    }

    [Fact]
    public async Task Leased_delivery_comes_back_only_when_the_lease_expires_and_the_old_holder_then_loses_it()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.PublishAsync("msg_1", "dlv_1");

        var firstLease = Assert.Single(await store.LeaseAsync(10, LeaseDuration, None));
        Assert.Empty(await store.LeaseAsync(10, LeaseDuration, None));
        clock.Advance(LeaseDuration - TimeSpan.FromSeconds(1));
        Assert.Empty(await store.LeaseAsync(10, LeaseDuration, None));

        clock.Advance(TimeSpan.FromSeconds(1));
        var secondLease = Assert.Single(await store.LeaseAsync(10, LeaseDuration, None));

        Assert.Equal("dlv_1", secondLease.Delivery.Id);
        Assert.NotEqual(firstLease.LeaseId, secondLease.LeaseId);
        Assert.False(await store.CompleteAsync(firstLease, TestData.Succeeded(firstLease.Delivery), None));
        Assert.False(await store.RescheduleAsync(firstLease, firstLease.Delivery with { Status = DeliveryStatus.Queued }, None));
        Assert.Equal(DeliveryStatus.Dispatched, (await store.GetDeliveryAsync("dlv_1", None))!.Status);

        Assert.True(await store.CompleteAsync(secondLease, TestData.Succeeded(secondLease.Delivery), None));
        var stored = await store.GetDeliveryAsync("dlv_1", None);
        Assert.Equal(DeliveryStatus.Succeeded, stored!.Status);
        Assert.Equal(1, stored.AttemptCount);
    }

    [Fact]
    public async Task Expired_lease_nobody_took_can_still_complete()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await store.LeaseAsync(1, LeaseDuration, None));

        clock.Advance(LeaseDuration * 2);

        Assert.True(await store.CompleteAsync(lease, TestData.Succeeded(lease.Delivery), None));
        Assert.Empty(await store.LeaseAsync(10, LeaseDuration, None));
    }

    [Fact]
    public async Task Completed_delivery_is_never_leased_again()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await store.LeaseAsync(1, LeaseDuration, None));
        Assert.True(await store.CompleteAsync(lease, lease.Delivery with { Status = DeliveryStatus.Failed }, None));

        clock.Advance(TimeSpan.FromHours(1));

        Assert.Empty(await store.LeaseAsync(10, LeaseDuration, None));
        Assert.False(await store.CompleteAsync(lease, TestData.Succeeded(lease.Delivery), None));
        Assert.Equal(DeliveryStatus.Failed, (await store.GetDeliveryAsync("dlv_1", None))!.Status);
    }

    [Fact]
    public async Task Reschedule_makes_the_delivery_due_at_its_new_time()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await store.LeaseAsync(1, LeaseDuration, None));
        var retry = lease.Delivery with { Status = DeliveryStatus.Queued, AttemptCount = 1, DueAt = clock.GetUtcNow().AddMinutes(10) };

        Assert.True(await store.RescheduleAsync(lease, retry, None));

        Assert.Equal(DeliveryStatus.Queued, (await store.GetDeliveryAsync("dlv_1", None))!.Status);
        Assert.Empty(await store.LeaseAsync(10, LeaseDuration, None));
        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Empty(await store.LeaseAsync(10, LeaseDuration, None));
        clock.Advance(TimeSpan.FromSeconds(1));
        var again = Assert.Single(await store.LeaseAsync(10, LeaseDuration, None));
        Assert.Equal(1, again.Delivery.AttemptCount);
        Assert.NotEqual(lease.LeaseId, again.LeaseId);

        // The first lease ended with the reschedule: it can no longer finish the delivery.
        Assert.False(await store.CompleteAsync(lease, TestData.Succeeded(lease.Delivery), None));
    }

    [Fact]
    public async Task Complete_and_reschedule_refuse_a_status_that_does_not_fit()
    {
        var store = TestData.Store(TestData.Clock());
        await store.PublishAsync("msg_1", "dlv_1", "dlv_2");
        var lease = (await store.LeaseAsync(1, LeaseDuration, None))[0];

        var complete = await Assert.ThrowsAsync<ArgumentException>(() => store.CompleteAsync(lease, lease.Delivery with { Status = DeliveryStatus.Queued }, None));
        var reschedule = await Assert.ThrowsAsync<ArgumentException>(() => store.RescheduleAsync(lease, TestData.Succeeded(lease.Delivery), None));
        var other = await Assert.ThrowsAsync<ArgumentException>(() => store.CompleteAsync(lease, TestData.Succeeded(lease.Delivery with { Id = "dlv_2" }), None));

        Assert.Contains("RescheduleAsync", complete.Message, StringComparison.Ordinal);
        Assert.Contains("CompleteAsync", reschedule.Message, StringComparison.Ordinal);
        Assert.Equal("delivery", other.ParamName);
        Assert.Equal(DeliveryStatus.Dispatched, (await store.GetDeliveryAsync("dlv_1", None))!.Status);
    }

    [Fact]
    public async Task Lease_refuses_a_non_positive_count_or_duration()
    {
        var store = TestData.Store(TestData.Clock());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.LeaseAsync(0, LeaseDuration, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.LeaseAsync(1, TimeSpan.Zero, None));
    }

    [Fact]
    public async Task Added_deliveries_enter_the_queue_at_their_due_time()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.PublishAsync("msg_1");
        var due = clock.GetUtcNow().AddSeconds(5);

        await store.AddDeliveriesAsync([TestData.Delivery("dlv_redelivery", "msg_1", dueAt: due)], None);

        Assert.Empty(await store.LeaseAsync(10, LeaseDuration, None));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("dlv_redelivery", Assert.Single(await store.LeaseAsync(10, LeaseDuration, None)).Delivery.Id);
    }

    [Fact]
    public async Task Deliveries_of_an_unknown_message_are_refused()
    {
        var store = TestData.Store(TestData.Clock());

        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.AddDeliveriesAsync([TestData.Delivery("dlv_1", "msg_missing")], None));

        Assert.Null(await store.GetDeliveryAsync("dlv_1", None));
    }
}
