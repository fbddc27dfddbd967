using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Dispatching;

public class LocalDeliveriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Nothing_is_reserved_before_the_dispatcher_opens_it_or_past_its_capacity()
    {
        var (local, _) = Create();
        Assert.False(local.TryReserve(1));

        local.Open(capacity: 3);
        Assert.True(local.TryReserve(2));
        Assert.False(local.TryReserve(2));
        local.Unreserve(2);
        Assert.True(local.TryReserve(3));
    }

    [Fact]
    public async Task Handed_over_leases_are_taken_oldest_first_and_free_their_room()
    {
        var (local, _) = Create();
        local.Open(capacity: 2);
        Assert.True(local.TryReserve(2));
        var waiting = local.WaitAsync();

        Assert.Empty(local.Add([Lease("dlv_1"), Lease("dlv_2")], reserved: 2));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(local.TryReserve(1));

        var taken = new List<DeliveryLease>();
        Assert.Null(local.Take(1, Now, taken));
        Assert.Equal(["dlv_1"], taken.Select(l => l.Delivery.Id));
        Assert.True(local.TryReserve(1));
    }

    [Fact]
    public async Task A_wait_the_dispatcher_left_behind_is_given_again_until_deliveries_arrive()
    {
        var (local, _) = Create();
        local.Open(capacity: 2);
        var first = local.WaitAsync();

        // The loop waits again after the store had work first; a second waiter would stay until the next handoff.
        Assert.Same(first, local.WaitAsync());
        Assert.False(first.IsCompleted);

        Assert.True(local.TryReserve(1));
        local.Add([Lease("dlv_1")], reserved: 1);
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(local.WaitAsync().IsCompleted); // still waiting to be taken
    }

    [Fact]
    public async Task A_lease_that_would_lapse_too_soon_is_returned_for_the_queue_instead_of_taken()
    {
        var (local, queue) = Create();
        local.Open(capacity: 4);
        Assert.True(local.TryReserve(2));
        local.Add([Lease("dlv_old", expiresAt: Now.AddSeconds(10)), Lease("dlv_new", expiresAt: Now.AddMinutes(2))], reserved: 2);

        var taken = new List<DeliveryLease>();
        var stale = local.Take(2, Now.AddSeconds(30), taken);
        await local.ReleaseAsync(stale!);

        Assert.Equal(["dlv_new"], taken.Select(l => l.Delivery.Id));
        var end = Assert.Single(Assert.Single(queue.Calls));
        Assert.Equal(("dlv_old", DeliveryStatus.Queued, Now, null), (end.Delivery.Id, end.Delivery.Status, end.Delivery.DueAt, end.Attempt));
    }

    [Fact]
    public void Leases_added_after_the_dispatcher_closed_go_back_to_the_caller()
    {
        var (local, _) = Create();
        local.Open(capacity: 4);
        Assert.True(local.TryReserve(2));
        local.Add([Lease("dlv_1")], reserved: 1);

        Assert.Equal(["dlv_1"], local.Close().Select(l => l.Delivery.Id));
        Assert.Equal(["dlv_2"], local.Add([Lease("dlv_2")], reserved: 1).Select(l => l.Delivery.Id));
        Assert.False(local.TryReserve(1));
    }

    private static (LocalDeliveries Local, RecordingQueue Queue) Create()
    {
        var queue = new RecordingQueue();
        return (new LocalDeliveries(queue, new FakeTimeProvider(Now), NullLogger<LocalDeliveries>.Instance), queue);
    }

    private static DeliveryLease Lease(string id, DateTimeOffset? expiresAt = null) => new(
        new WebhookDelivery
        {
            Id = id,
            MessageId = "msg_1",
            SubscriptionId = "sub_1",
            EventType = "order.created",
            Status = DeliveryStatus.Dispatched,
            DueAt = Now.AddMinutes(-1),
            CreatedAt = Now.AddMinutes(-1),
        },
        "lease-" + id,
        expiresAt ?? Now.AddMinutes(2));

    /// <summary>Records each EndLeasesAsync call; every lease holds.</summary>
    private sealed class RecordingQueue : IDeliveryQueue
    {
        public List<IReadOnlyList<LeaseEnd>> Calls { get; } = [];

        public Task<IReadOnlyList<DeliveryLease>> LeaseAsync(int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<DeliveryLease>>([]);

        public Task<IReadOnlyList<bool>> EndLeasesAsync(IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken)
        {
            Calls.Add(ends);
            return Task.FromResult<IReadOnlyList<bool>>([.. ends.Select(_ => true)]);
        }

        public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
