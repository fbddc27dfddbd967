using System.Collections.Concurrent;

namespace WebhookSender.StoreContract;

public abstract partial class StoreContractTests
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Lease_returns_only_due_deliveries_earliest_first()
    {
        var now = Clock.GetUtcNow();
        await Store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [
                ContractData.Delivery("dlv_late", "msg_1", dueAt: now.AddMinutes(5)),
                ContractData.Delivery("dlv_now", "msg_1", dueAt: now),
                ContractData.Delivery("dlv_early", "msg_1", dueAt: now.AddMinutes(-2)),
                ContractData.Delivery("dlv_mid", "msg_1", dueAt: now.AddMinutes(-1)),
            ],
            None);

        var leases = await Queue.LeaseAsync(10, LeaseDuration, None);

        Assert.Equal(["dlv_early", "dlv_mid", "dlv_now"], leases.Select(l => l.Delivery.Id));
        Assert.All(leases, l => Assert.Equal(DeliveryStatus.Dispatched, l.Delivery.Status));
        Assert.All(leases, l => Assert.Equal(now + LeaseDuration, l.ExpiresAt));
        Assert.Equal(3, leases.Select(l => l.LeaseId).Distinct().Count());
        Assert.Equal(DeliveryStatus.Dispatched, (await Store.GetDeliveryAsync("dlv_now", None))!.Status);
        Assert.Equal(DeliveryStatus.Queued, (await Store.GetDeliveryAsync("dlv_late", None))!.Status);
    }

    [Fact]
    public async Task Lease_takes_the_earliest_when_more_are_due_than_asked_for()
    {
        var now = Clock.GetUtcNow();
        await Store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [.. Enumerable.Range(1, 5).Reverse().Select(i => ContractData.Delivery($"dlv_{i}", "msg_1", dueAt: now.AddSeconds(-10 + i)))],
            None);

        var first = await Queue.LeaseAsync(2, LeaseDuration, None);
        var second = await Queue.LeaseAsync(10, LeaseDuration, None);
        var third = await Queue.LeaseAsync(10, LeaseDuration, None);

        Assert.Equal(["dlv_1", "dlv_2"], first.Select(l => l.Delivery.Id));
        Assert.Equal(["dlv_3", "dlv_4", "dlv_5"], second.Select(l => l.Delivery.Id));
        Assert.Empty(third);
    }

    [Fact]
    public async Task Leased_delivery_comes_back_only_when_the_lease_expires_and_the_old_holder_then_loses_it()
    {
        await PublishAsync("msg_1", "dlv_1");

        var firstLease = Assert.Single(await Queue.LeaseAsync(10, LeaseDuration, None));
        Assert.Empty(await Queue.LeaseAsync(10, LeaseDuration, None));
        Clock.Advance(LeaseDuration - TimeSpan.FromSeconds(1));
        Assert.Empty(await Queue.LeaseAsync(10, LeaseDuration, None));

        Clock.Advance(TimeSpan.FromSeconds(1));
        var secondLease = Assert.Single(await Queue.LeaseAsync(10, LeaseDuration, None));

        Assert.Equal("dlv_1", secondLease.Delivery.Id);
        Assert.NotEqual(firstLease.LeaseId, secondLease.LeaseId);
        Assert.False(await Queue.CompleteAsync(firstLease, ContractData.Succeeded(firstLease.Delivery), None));
        Assert.False(await Queue.RescheduleAsync(firstLease, firstLease.Delivery with { Status = DeliveryStatus.Queued }, None));
        Assert.Equal(DeliveryStatus.Dispatched, (await Store.GetDeliveryAsync("dlv_1", None))!.Status);

        Assert.True(await Queue.CompleteAsync(secondLease, ContractData.Succeeded(secondLease.Delivery), None));
        var stored = await Store.GetDeliveryAsync("dlv_1", None);
        Assert.Equal(DeliveryStatus.Succeeded, stored!.Status);
        Assert.Equal(1, stored.AttemptCount);
        Assert.Equal(ContractData.Start, stored.CompletedAt);
    }

    [Fact]
    public async Task Expired_lease_nobody_took_can_still_complete()
    {
        await PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await Queue.LeaseAsync(1, LeaseDuration, None));

        Clock.Advance(LeaseDuration * 2);

        Assert.True(await Queue.CompleteAsync(lease, ContractData.Succeeded(lease.Delivery), None));
        Assert.Empty(await Queue.LeaseAsync(10, LeaseDuration, None));
    }

    [Fact]
    public async Task Completed_delivery_is_never_leased_again()
    {
        await PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await Queue.LeaseAsync(1, LeaseDuration, None));
        Assert.True(await Queue.CompleteAsync(lease, lease.Delivery with { Status = DeliveryStatus.Failed }, None));

        Clock.Advance(TimeSpan.FromHours(1));

        Assert.Empty(await Queue.LeaseAsync(10, LeaseDuration, None));
        Assert.False(await Queue.CompleteAsync(lease, ContractData.Succeeded(lease.Delivery), None));
        Assert.Equal(DeliveryStatus.Failed, (await Store.GetDeliveryAsync("dlv_1", None))!.Status);
    }

    [Fact]
    public async Task Reschedule_makes_the_delivery_due_at_its_new_time_with_its_new_state()
    {
        await PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await Queue.LeaseAsync(1, LeaseDuration, None));
        var retry = lease.Delivery with
        {
            Status = DeliveryStatus.Queued,
            AttemptCount = 1,
            LastAttemptAt = Clock.GetUtcNow(),
            LastStatusCode = 500,
            DueAt = Clock.GetUtcNow().AddMinutes(10),
        };

        Assert.True(await Queue.RescheduleAsync(lease, retry, None));

        Assert.Equal(retry, await Store.GetDeliveryAsync("dlv_1", None));
        Assert.Empty(await Queue.LeaseAsync(10, LeaseDuration, None));
        Clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Empty(await Queue.LeaseAsync(10, LeaseDuration, None));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var again = Assert.Single(await Queue.LeaseAsync(10, LeaseDuration, None));
        Assert.Equal(1, again.Delivery.AttemptCount);
        Assert.Equal(500, again.Delivery.LastStatusCode);
        Assert.NotEqual(lease.LeaseId, again.LeaseId);

        // The first lease ended with the reschedule: it can no longer finish the delivery.
        Assert.False(await Queue.CompleteAsync(lease, ContractData.Succeeded(lease.Delivery), None));
    }

    [Fact]
    public async Task Complete_and_reschedule_refuse_a_status_that_does_not_fit()
    {
        await PublishAsync("msg_1", "dlv_1", "dlv_2");
        var lease = (await Queue.LeaseAsync(1, LeaseDuration, None))[0];

        var complete = await Assert.ThrowsAsync<ArgumentException>(() => Queue.CompleteAsync(lease, lease.Delivery with { Status = DeliveryStatus.Queued }, None));
        var reschedule = await Assert.ThrowsAsync<ArgumentException>(() => Queue.RescheduleAsync(lease, ContractData.Succeeded(lease.Delivery), None));
        var other = await Assert.ThrowsAsync<ArgumentException>(() => Queue.CompleteAsync(lease, ContractData.Succeeded(lease.Delivery with { Id = "dlv_2" }), None));

        Assert.Contains("RescheduleAsync", complete.Message, StringComparison.Ordinal);
        Assert.Contains("CompleteAsync", reschedule.Message, StringComparison.Ordinal);
        Assert.Equal("delivery", other.ParamName);
        Assert.Equal(DeliveryStatus.Dispatched, (await Store.GetDeliveryAsync(lease.Delivery.Id, None))!.Status);
    }

    [Fact]
    public async Task Lease_refuses_a_non_positive_count_or_duration()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.LeaseAsync(0, LeaseDuration, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.LeaseAsync(1, TimeSpan.Zero, None));
    }

    [Fact]
    public async Task Added_deliveries_enter_the_queue_at_their_due_time()
    {
        await PublishAsync("msg_1");
        var due = Clock.GetUtcNow().AddSeconds(5);

        await Store.AddDeliveriesAsync([ContractData.Delivery("dlv_redelivery", "msg_1", dueAt: due)], None);

        Assert.Empty(await Queue.LeaseAsync(10, LeaseDuration, None));
        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("dlv_redelivery", Assert.Single(await Queue.LeaseAsync(10, LeaseDuration, None)).Delivery.Id);
    }

    [Fact]
    public async Task Deliveries_stored_completed_never_enter_the_queue()
    {
        await Store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [ContractData.Delivery("dlv_done", "msg_1", status: DeliveryStatus.Failed), ContractData.Delivery("dlv_open", "msg_1")],
            None);

        Assert.Equal("dlv_open", Assert.Single(await Queue.LeaseAsync(10, LeaseDuration, None)).Delivery.Id);
        Assert.Equal(DeliveryStatus.Failed, (await Store.GetDeliveryAsync("dlv_done", None))!.Status);
    }

    [Fact]
    public async Task Wait_returns_at_once_when_work_is_due()
    {
        await PublishAsync("msg_1", "dlv_1");

        await Queue.WaitForWorkAsync(None).WaitAsync(Deadline);
    }

    [Fact]
    public async Task Wait_completes_when_work_is_added()
    {
        var wait = Queue.WaitForWorkAsync(None);
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);

        await PublishAsync("msg_1", "dlv_1");

        await wait.WaitAsync(Deadline);
        Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
    }

    [Fact]
    public async Task Wait_completes_when_the_clock_reaches_the_earliest_due_time()
    {
        await Store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [ContractData.Delivery("dlv_1", "msg_1", dueAt: Clock.GetUtcNow().AddMilliseconds(10))],
            None);

        var wait = Queue.WaitForWorkAsync(None);
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);
        Clock.Advance(TimeSpan.FromMilliseconds(10));

        await wait.WaitAsync(Deadline);
        Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
    }

    [Fact]
    public async Task Wait_honours_cancellation()
    {
        using var cancellation = new CancellationTokenSource();
        var wait = Queue.WaitForWorkAsync(cancellation.Token);
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Deadline));
    }

    [Fact]
    public async Task Concurrent_leasing_never_hands_one_delivery_to_two_holders()
    {
        const int Count = 600;
        const int Workers = 6;
        for (int message = 0; message < Count / 100; message++)
        {
            string messageId = $"msg_{message:D4}";
            await Store.AddMessageAsync(
                ContractData.Message(messageId),
                [.. Enumerable.Range(0, 100).Select(i => ContractData.Delivery($"dlv_{message:D4}_{i:D3}", messageId))],
                None);
        }

        var leased = new ConcurrentBag<string>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            while (true)
            {
                var leases = await Queue.LeaseAsync(5, TimeSpan.FromMinutes(5), None);
                if (leases.Count == 0)
                {
                    return;
                }

                foreach (var lease in leases)
                {
                    leased.Add(lease.Delivery.Id);
                }
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Count, leased.Count);
        Assert.Equal(Count, leased.Distinct().Count());
    }

    [Fact]
    public async Task With_leases_expiring_under_load_each_delivery_is_completed_exactly_once()
    {
        const int Count = 200;
        const int Workers = 4;
        await Store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [.. Enumerable.Range(0, Count).Select(i => ContractData.Delivery($"dlv_{i:D4}", "msg_1"))],
            None);
        var completions = new ConcurrentDictionary<string, int>();
        int completed = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // Every worker moves the clock on a little, so leases held across the yield sometimes expire and are taken by
        // another worker before their first holder completes them.
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (Volatile.Read(ref completed) < Count && !deadline.IsCancellationRequested)
            {
                var leases = await Queue.LeaseAsync(5, TimeSpan.FromSeconds(5), None);
                Clock.Advance(TimeSpan.FromMilliseconds(500));
                await Task.Yield();
                foreach (var lease in leases)
                {
                    if (await Queue.CompleteAsync(lease, ContractData.Succeeded(lease.Delivery), None))
                    {
                        completions.AddOrUpdate(lease.Delivery.Id, 1, (_, n) => n + 1);
                        Interlocked.Increment(ref completed);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.False(deadline.IsCancellationRequested, $"Only {completed} of {Count} deliveries completed in time.");
        Assert.Equal(Count, completions.Count);
        Assert.All(completions, pair => Assert.Equal(1, pair.Value));
        var listed = await Store.ListDeliveriesAsync(new DeliveryQuery { Status = DeliveryStatus.Succeeded, Limit = 1000 }, None);
        Assert.Equal(Count, listed.Items.Count);
        Assert.Empty(await Queue.LeaseAsync(10, TimeSpan.FromSeconds(5), None));
    }
}
