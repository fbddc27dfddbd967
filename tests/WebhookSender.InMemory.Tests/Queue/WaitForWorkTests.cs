using WebhookSender.StoreContract;
using WebhookSender.Storage;

namespace WebhookSender.InMemory.Tests.Queue;

/// <summary>
/// Fake time never moves on its own, so a wait that is not complete stays incomplete until the test adds work or advances
/// the clock; completions are awaited with a real-time deadline instead of sleeps.
/// </summary>
public sealed class WaitForWorkTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Returns_at_once_when_work_is_due()
    {
        var store = TestData.Store(TestData.Clock());
        await store.PublishAsync("msg_1", "dlv_1");

        var wait = store.WaitForWorkAsync(None);

        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Completes_when_work_is_added()
    {
        var store = TestData.Store(TestData.Clock());
        var wait = store.WaitForWorkAsync(None);
        Assert.False(wait.IsCompleted);

        await store.PublishAsync("msg_1", "dlv_1");

        await wait.WaitAsync(Deadline);
        Assert.Single(await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
    }

    [Fact]
    public async Task Completes_when_a_delivery_is_rescheduled()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await store.LeaseAsync(1, TimeSpan.FromMinutes(10), None));
        var wait = store.WaitForWorkAsync(None);
        Assert.False(wait.IsCompleted);

        await ((IDeliveryQueue)store).RescheduleAsync(lease, lease.Delivery with { Status = DeliveryStatus.Queued, DueAt = clock.GetUtcNow() }, None);

        await wait.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Completes_when_the_clock_reaches_the_earliest_due_time()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [ContractData.Delivery("dlv_1", "msg_1", dueAt: clock.GetUtcNow().AddSeconds(10))],
            None);

        var wait = store.WaitForWorkAsync(None);
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(wait.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(1));

        await wait.WaitAsync(Deadline);
        Assert.Single(await store.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
    }

    [Fact]
    public async Task Completes_when_a_lease_expires()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.PublishAsync("msg_1", "dlv_1");
        Assert.Single(await store.LeaseAsync(1, TimeSpan.FromSeconds(30), None));

        var wait = store.WaitForWorkAsync(None);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        await wait.WaitAsync(Deadline);
        Assert.Single(await store.LeaseAsync(1, TimeSpan.FromSeconds(30), None));
    }

    [Fact]
    public async Task Wakes_after_a_minute_at_most_when_nothing_is_queued()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);

        var wait = store.WaitForWorkAsync(None);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        await wait.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Honours_cancellation()
    {
        var store = TestData.Store(TestData.Clock());
        using var cancellation = new CancellationTokenSource();
        var wait = store.WaitForWorkAsync(cancellation.Token);
        Assert.False(wait.IsCompleted);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_completed_delivery_does_not_keep_waking_waiters()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await store.LeaseAsync(1, TimeSpan.FromSeconds(30), None));
        await ((IDeliveryQueue)store).CompleteAsync(lease, TestData.Succeeded(lease.Delivery), None);

        // The lease expiry entry is stale now: the waiter sleeps until the one-minute safety net, not until the expiry.
        var wait = store.WaitForWorkAsync(None);
        clock.Advance(TimeSpan.FromSeconds(45));
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(15));

        await wait.WaitAsync(Deadline);
    }
}
