using WebhookSender.Storage;

namespace WebhookSender.Tests.Recording;

public class LeaseEndWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Ends_arriving_while_a_write_runs_go_together_in_the_next_write_and_a_group_stays_whole()
    {
        var queue = new GatedQueue();
        var writer = new LeaseEndWriter(queue);

        var first = writer.EndAsync([End("dlv_1")]);
        await queue.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var group = writer.EndAsync([End("dlv_2"), End("dlv_3"), End("dlv_4")]);
        var others = Enumerable.Range(5, 2).Select(i => writer.EndAsync([End($"dlv_{i}")])).ToList();
        queue.Gate.SetResult();

        var held = await group.WaitAsync(TimeSpan.FromSeconds(10));
        var single = await Task.WhenAll(others).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([true], await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([true, true, false], held); // the fake loses dlv_4
        Assert.Equal([true, true], single.Select(r => Assert.Single(r)));
        Assert.Equal([["dlv_1"], ["dlv_2", "dlv_3", "dlv_4", "dlv_5", "dlv_6"]], queue.Calls);
    }

    [Fact]
    public async Task A_failed_write_fails_every_end_in_it_and_the_writer_goes_on()
    {
        var queue = new GatedQueue { Failure = new TimeoutException("The database is down.") };
        var writer = new LeaseEndWriter(queue);
        queue.Gate.SetResult();

        var failed = await Assert.ThrowsAsync<TimeoutException>(() => writer.EndAsync([End("dlv_1")]).WaitAsync(TimeSpan.FromSeconds(10)));
        queue.Failure = null;

        Assert.Equal("The database is down.", failed.Message);
        Assert.Equal([true], await writer.EndAsync([End("dlv_2")]).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_store_that_asks_for_a_delay_gets_ends_finishing_within_it_in_one_write()
    {
        var queue = new GatedQueue { LeaseEndDelay = TimeSpan.FromMilliseconds(300) };
        var writer = new LeaseEndWriter(queue);
        queue.Gate.SetResult();

        var first = writer.EndAsync([End("dlv_1")]);
        var second = writer.EndAsync([End("dlv_2"), End("dlv_3")]);

        Assert.Equal([true], await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([true, true], await second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([["dlv_1", "dlv_2", "dlv_3"]], queue.Calls);
    }

    private static LeaseEnd End(string deliveryId)
    {
        var delivery = new WebhookDelivery
        {
            Id = deliveryId, MessageId = "msg_1", SubscriptionId = "sub_1", EventType = "order.created",
            Status = DeliveryStatus.Succeeded, DueAt = Now, CreatedAt = Now, CompletedAt = Now,
        };
        return new LeaseEnd(new DeliveryLease(delivery with { Status = DeliveryStatus.Dispatched }, "lease_" + deliveryId, Now.AddMinutes(1)), delivery);
    }

    /// <summary>Records each call; the first waits for the gate, and dlv_4's lease counts as lost.</summary>
    private sealed class GatedQueue : IDeliveryQueue
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string[]> Calls { get; } = [];

        public Exception? Failure { get; set; }

        public TimeSpan LeaseEndDelay { get; init; }

        public async Task<IReadOnlyList<bool>> EndLeasesAsync(IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add([.. ends.Select(e => e.Delivery.Id)]);
            }

            Started.TrySetResult();
            await Gate.Task;
            if (Failure is { } failure)
            {
                throw failure;
            }

            return [.. ends.Select(e => e.Delivery.Id != "dlv_4")];
        }

        public Task<IReadOnlyList<DeliveryLease>> LeaseAsync(int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task WaitForWorkAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
