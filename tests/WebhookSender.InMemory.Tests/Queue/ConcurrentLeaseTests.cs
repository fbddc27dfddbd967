using System.Collections.Concurrent;

namespace WebhookSender.InMemory.Tests.Queue;

public sealed class ConcurrentLeaseTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const int Workers = 8;

    [Fact]
    public async Task Concurrent_leasing_never_hands_one_delivery_to_two_holders()
    {
        const int Count = 2_000;

        // A race shows up only sometimes: several rounds make a missed one unlikely.
        for (int round = 0; round < 5; round++)
        {
            var store = TestData.Store(TestData.Clock());
            await PublishManyAsync(store, Count);
            var leased = new ConcurrentBag<string>();
            using var start = new Barrier(Workers);

            // Dedicated threads released together by a barrier, leasing small batches back to back: as much contention
            // as the machine allows.
            var workers = Enumerable.Range(0, Workers).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    while (true)
                    {
                        var leases = store.LeaseAsync(2, TimeSpan.FromMinutes(5), None).GetAwaiter().GetResult();
                        if (leases.Count == 0)
                        {
                            return;
                        }

                        foreach (var lease in leases)
                        {
                            leased.Add(lease.Delivery.Id);
                        }
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(Count, leased.Count);
            Assert.Equal(Count, leased.Distinct().Count());
        }
    }

    [Fact]
    public async Task With_leases_expiring_under_load_each_delivery_is_completed_exactly_once()
    {
        const int Count = 1_000;
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await PublishManyAsync(store, Count);
        var completions = new ConcurrentDictionary<string, int>();
        int completed = 0;
        int lostLeases = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Every worker moves the fake clock on a little, so leases held across the yield below sometimes expire and
        // are taken by another worker before their first holder tries to complete them.
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            while (Volatile.Read(ref completed) < Count && !deadline.IsCancellationRequested)
            {
                var leases = await store.LeaseAsync(5, TimeSpan.FromSeconds(5), None);
                clock.Advance(TimeSpan.FromMilliseconds(250));
                await Task.Yield();
                foreach (var lease in leases)
                {
                    if (await store.CompleteAsync(lease, TestData.Succeeded(lease.Delivery), None))
                    {
                        completions.AddOrUpdate(lease.Delivery.Id, 1, (_, n) => n + 1);
                        Interlocked.Increment(ref completed);
                    }
                    else
                    {
                        Interlocked.Increment(ref lostLeases);
                    }
                }
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(workers);

        Assert.False(deadline.IsCancellationRequested, $"Only {completed} of {Count} deliveries completed in time.");
        Assert.Equal(Count, completions.Count);
        Assert.All(completions, pair => Assert.Equal(1, pair.Value));
        var listed = await store.ListDeliveriesAsync(new DeliveryQuery { Status = DeliveryStatus.Succeeded, Limit = 1000 }, None);
        Assert.Equal(Count, listed.Items.Count);
        Assert.Empty(await store.LeaseAsync(10, TimeSpan.FromSeconds(5), None));
    }

    private static async Task PublishManyAsync(InMemoryWebhookStore store, int count)
    {
        for (int message = 0; message < count / 100; message++)
        {
            string messageId = $"msg_{message:D4}";
            await store.AddMessageAsync(
                TestData.Message(messageId),
                [.. Enumerable.Range(0, 100).Select(i => TestData.Delivery($"dlv_{message:D4}_{i:D3}", messageId))],
                None);
        }
    }
}
