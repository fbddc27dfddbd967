using Microsoft.Extensions.DependencyInjection;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Dispatching;

/// <summary>
/// <see cref="IDeliveryQueue.LeasesLost"/>: a store that can no longer vouch for its leases (its heartbeat went stale)
/// makes the dispatcher cut the attempts in flight under them, uncounted, and put their deliveries back.
/// </summary>
public class LeasesLostTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_attempt_in_flight_is_cancelled_uncounted_and_released_when_the_store_loses_its_leases()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        bool hang = true;
        receiver.Respond("/hooks", _ => Volatile.Read(ref hang) ? ReceiverResponse.Hang(Timeout.InfiniteTimeSpan) : ReceiverResponse.Ok());
        var queue = new VouchingQueue();

        // Leased from the store (no local handoff), and an attempt timeout far beyond the test: only the lost leases cut it.
        await using var host = await TestHost.StartAsync(
            o =>
            {
                o.LocalHandoff = false;
                o.AttemptTimeout = TimeSpan.FromMinutes(1);
            },
            build: queue.Install);
        await host.SubscribeAsync(receiver.UrlFor("/hooks"));
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await receiver.WaitForCountAsync("/hooks", 1, Wait);
        Assert.Equal(1, queue.Leased);

        queue.LoseLeases();
        var released = await queue.Released.Task.WaitAsync(Wait);

        Assert.Equal(DeliveryStatus.Queued, released.Delivery.Status);
        Assert.Equal(0, released.Delivery.AttemptCount);
        Assert.Null(released.Attempt);
        var delivery = (await host.DeliveriesOfAsync(published.MessageId)).Single();
        Assert.Equal(DeliveryStatus.Queued, delivery.Status);
        Assert.Equal(0, delivery.AttemptCount);
        Assert.Empty(await host.AttemptsAsync());

        // Nothing is leased while the store cannot vouch; once it can again (a new token), the delivery goes out once.
        Assert.Equal(1, queue.Leased);
        Volatile.Write(ref hang, false);
        queue.Regain();
        await Eventually.WaitForAsync(() => host.DeliveriesOfAsync(published.MessageId), d => d.Single().Status == DeliveryStatus.Succeeded, "the delivery to succeed", Wait);
        var attempt = Assert.Single(await host.AttemptsAsync());
        Assert.Equal(1, attempt.AttemptNumber);
        Assert.Equal(2, receiver.ReceivedOn("/hooks").Count);
    }

    [Fact]
    public async Task Deliveries_handed_over_before_the_store_lost_and_regained_its_leases_go_back_instead_of_being_sent()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        bool hang = true;
        receiver.Respond("/hooks", _ => Volatile.Read(ref hang) ? ReceiverResponse.Hang(Timeout.InfiniteTimeSpan) : ReceiverResponse.Ok());
        var queue = new VouchingQueue { HoldReleases = true };

        // One slot: the first delivery's attempt hangs in it while the second waits, handed over (leased as it was stored).
        await using var host = await TestHost.StartAsync(
            o =>
            {
                o.MaxConcurrency = 1;
                o.AttemptTimeout = TimeSpan.FromMinutes(1);
            },
            build: queue.Install);
        await host.SubscribeAsync(receiver.UrlFor("/hooks"));
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await receiver.WaitForCountAsync("/hooks", 1, Wait);
        var waiting = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }));
        Volatile.Write(ref hang, false);

        // The store loses its leases and vouches again while the cut attempt still holds the slot (its release is held
        // back here): by the time the dispatcher takes the second delivery, its lease may be another instance's.
        queue.LoseLeases();
        await queue.Released.Task.WaitAsync(Wait);
        queue.Regain();
        queue.OpenReleases();

        await Eventually.WaitForAsync(() => host.DeliveriesOfAsync(waiting.MessageId), d => d.Single().Status == DeliveryStatus.Succeeded, "the second delivery to succeed", Wait);
        var sent = Assert.Single(queue.Ended, e => e.Attempt is not null && e.Delivery.MessageId == waiting.MessageId);
        Assert.Contains(sent.Lease.LeaseId, queue.LeasedAfterRegain);
    }

    /// <summary>
    /// The in-memory store's queue behind a liveness switch, as a durable store with a heartbeat behaves: while it cannot
    /// vouch, <see cref="LeasesLost"/> is cancelled, nothing is leased and waiting for work waits for it to vouch again.
    /// </summary>
    private sealed class VouchingQueue : IDeliveryQueue
    {
        private readonly Lock _gate = new();
        private IDeliveryQueue _inner = null!;
        private CancellationTokenSource _vouched = new();
        private TaskCompletionSource _regained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _releasesOpen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _leased;
        private bool _regainedOnce;

        public int Leased => Volatile.Read(ref _leased);

        /// <summary>Holds the dispatcher's releases back until <see cref="OpenReleases"/>.</summary>
        public bool HoldReleases { get; init; }

        /// <summary>Every lease end written, in order.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<LeaseEnd> Ended { get; } = new();

        /// <summary>The ids of leases taken from the store after <see cref="Regain"/>.</summary>
        public System.Collections.Concurrent.ConcurrentBag<string> LeasedAfterRegain { get; } = [];

        public void OpenReleases() => _releasesOpen.TrySetResult();

        /// <summary>The first lease end that puts a delivery back without an attempt (the dispatcher's release).</summary>
        public TaskCompletionSource<LeaseEnd> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken LeasesLost
        {
            get
            {
                lock (_gate)
                {
                    return _vouched.Token;
                }
            }
        }

        public void Install(IWebhooksBuilder webhooks) => webhooks.Services.AddSingleton<IDeliveryQueue>(sp =>
        {
            _inner = (IDeliveryQueue)sp.GetRequiredService<IWebhookStore>();
            return this;
        });

        public void LoseLeases()
        {
            lock (_gate)
            {
                _vouched.Cancel();
            }
        }

        public void Regain()
        {
            TaskCompletionSource regained;
            lock (_gate)
            {
                _vouched = new CancellationTokenSource();
                _regainedOnce = true;
                regained = _regained;
                _regained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            regained.TrySetResult();
        }

        public async Task<IReadOnlyList<DeliveryLease>> LeaseAsync(int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
        {
            if (LeasesLost.IsCancellationRequested)
            {
                return [];
            }

            var leases = await _inner.LeaseAsync(maxCount, leaseDuration, cancellationToken);
            Interlocked.Add(ref _leased, leases.Count);
            if (Volatile.Read(ref _regainedOnce))
            {
                foreach (var lease in leases)
                {
                    LeasedAfterRegain.Add(lease.LeaseId);
                }
            }

            return leases;
        }

        public async Task<IReadOnlyList<bool>> EndLeasesAsync(IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken)
        {
            var release = ends.FirstOrDefault(e => e.Attempt is null && e.Delivery.Status == DeliveryStatus.Queued);
            if (release is not null && HoldReleases)
            {
                Released.TrySetResult(release);
                await _releasesOpen.Task;
            }

            var held = await _inner.EndLeasesAsync(ends, cancellationToken);
            foreach (var end in ends)
            {
                Ended.Enqueue(end);
            }

            if (release is not null)
            {
                Released.TrySetResult(release);
            }

            return held;
        }

        public Task WaitForWorkAsync(CancellationToken cancellationToken)
        {
            Task regained;
            lock (_gate)
            {
                if (!_vouched.IsCancellationRequested)
                {
                    return _inner.WaitForWorkAsync(cancellationToken);
                }

                regained = _regained.Task;
            }

            return regained.WaitAsync(cancellationToken);
        }
    }
}
