using Microsoft.Extensions.DependencyInjection;
using System.Net;
using WebhookSender.Tests.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Dispatching;

public class DispatcherTests
{
    private static readonly Uri Endpoint = new("https://receiver.example/hooks");

    [Fact]
    public async Task Never_runs_more_attempts_at_once_than_MaxConcurrency()
    {
        var handler = new ConcurrencyProbe(TimeSpan.FromMilliseconds(30));
        // One endpoint allowed all the slots: only the dispatcher's own limit holds it back.
        await using var host = await TestHost.StartAsync(
            o =>
            {
                o.MaxConcurrency = 3;
                o.Endpoints.MaxConcurrency = 3;
            },
            primaryHandler: handler);
        await host.SubscribeAsync(Endpoint);

        for (int i = 0; i < 20; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = i }));
        }

        await Eventually.WaitForAsync(() => Task.FromResult(handler.Completed), n => n == 20, "20 requests");
        Assert.Equal(3, handler.MaxInFlight);
    }

    [Fact]
    public async Task An_attempt_cut_off_by_shutdown_goes_back_to_the_queue_uncounted()
    {
        var handler = new ConcurrencyProbe(Timeout.InfiniteTimeSpan);
        var host = await TestHost.StartAsync(primaryHandler: handler);
        await host.SubscribeAsync(Endpoint);
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await Eventually.WaitForAsync(() => Task.FromResult(handler.Started), n => n == 1, "the request to start");

        await host.StopAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, handler.Completed);

        var delivery = await host.Store.GetDeliveryAsync((await host.DeliveriesOfAsync(published.MessageId)).Single().Id, default);
        Assert.Equal(DeliveryStatus.Queued, delivery!.Status);
        Assert.Equal(0, delivery.AttemptCount);
        Assert.Empty(await host.AttemptsAsync());
        await host.DisposeAsync();
    }

    [Fact]
    public async Task Published_deliveries_go_straight_to_the_local_dispatcher_without_a_lease_from_the_store()
    {
        var handler = new ConcurrencyProbe(TimeSpan.Zero);
        var queue = new CountingQueue();
        await using var host = await TestHost.StartAsync(build: queue.Install, primaryHandler: handler);
        await host.SubscribeAsync(Endpoint);

        var published = new List<PublishResult>();
        for (int i = 0; i < 20; i++)
        {
            published.Add(await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = i })));
        }

        await Eventually.WaitForAsync(() => Task.FromResult(handler.Completed), n => n == 20, "20 requests");
        foreach (var result in published)
        {
            await Eventually.WaitForAsync(async () => (await host.DeliveriesOfAsync(result.MessageId)).Single(), d => d.Status == DeliveryStatus.Succeeded, "the delivery to succeed");
        }

        // 20 deliveries never pass the 64 that may wait for a slot (twice MaxConcurrency): none is leased back from the store.
        Assert.Equal(0, queue.Leased);
        Assert.Equal(20, queue.Ended);
    }

    [Fact]
    public async Task With_LocalHandoff_off_every_published_delivery_is_leased_from_the_store()
    {
        var handler = new ConcurrencyProbe(TimeSpan.Zero);
        var queue = new CountingQueue();
        await using var host = await TestHost.StartAsync(o => o.LocalHandoff = false, build: queue.Install, primaryHandler: handler);
        await host.SubscribeAsync(Endpoint);

        for (int i = 0; i < 20; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = i }));
        }

        await Eventually.WaitForAsync(() => Task.FromResult(handler.Completed), n => n == 20, "20 requests");
        await Eventually.WaitForAsync(() => Task.FromResult(queue.Ended), n => n == 20, "20 outcomes to be stored");
        Assert.Equal(20, queue.Leased);
    }

    [Fact]
    public async Task Deliveries_waiting_for_a_slot_go_back_to_the_queue_when_the_dispatcher_stops()
    {
        var handler = new ConcurrencyProbe(Timeout.InfiniteTimeSpan);
        var queue = new CountingQueue();
        var host = await TestHost.StartAsync(o => o.MaxConcurrency = 1, build: queue.Install, primaryHandler: handler);
        await host.SubscribeAsync(Endpoint);
        var sending = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await Eventually.WaitForAsync(() => Task.FromResult(handler.Started), n => n == 1, "the first request to start");

        // The only slot is taken: the second is handed over and waits, leased to this process.
        var waiting = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }));
        var waitingDelivery = (await host.DeliveriesOfAsync(waiting.MessageId)).Single();
        Assert.Equal(DeliveryStatus.Dispatched, waitingDelivery.Status);

        await host.StopAsync(TimeSpan.FromMilliseconds(200));

        // Both are back in the queue at once, unattempted: the store hands them out now, not when their leases lapse.
        Assert.Equal(1, handler.Started);
        Assert.Equal(0, queue.Leased);
        var store = (IDeliveryQueue)host.Store;
        var leasedAgain = await store.LeaseAsync(10, TimeSpan.FromMinutes(1), default);
        Assert.Equal(
            new[] { (await host.DeliveriesOfAsync(sending.MessageId)).Single().Id, waitingDelivery.Id }.Order(),
            leasedAgain.Select(l => l.Delivery.Id).Order());
        Assert.All(leasedAgain, l => Assert.Equal(0, l.Delivery.AttemptCount));
        Assert.Empty(await host.AttemptsAsync());
        await host.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_waits_for_the_attempts_in_flight_and_stores_their_outcomes()
    {
        var handler = new ConcurrencyProbe(TimeSpan.FromMilliseconds(300));
        var host = await TestHost.StartAsync(primaryHandler: handler);
        await host.SubscribeAsync(Endpoint);
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await Eventually.WaitForAsync(() => Task.FromResult(handler.Started), n => n == 1, "the request to start");

        await host.StopAsync(TimeSpan.FromSeconds(30));

        var delivery = (await host.DeliveriesOfAsync(published.MessageId)).Single();
        Assert.Equal((DeliveryStatus.Succeeded, 1), (delivery.Status, delivery.AttemptCount));
        Assert.Single(await host.AttemptsAsync());
        await host.DisposeAsync();
    }

    [Fact]
    public async Task A_response_body_that_stalls_past_AttemptTimeout_is_a_failed_attempt()
    {
        // The headers arrive at once, so only the sender's own token bounds reading the body.
        var handler = new StallingBodyHandler();
        await using var host = await TestHost.StartAsync(
            o =>
            {
                o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
                o.RetrySchedule = [TimeSpan.FromMinutes(10)];
            },
            primaryHandler: handler);
        await host.SubscribeAsync(Endpoint);

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempt = (await Eventually.WaitForAsync(() => host.AttemptsAsync(), a => a.Count == 1, "the attempt")).Single();
        Assert.False(attempt.Succeeded);
        Assert.Contains("No complete response within 0.3 s", attempt.Error);
        Assert.Equal(DeliveryStatus.Queued, (await host.DeliveriesOfAsync(published.MessageId)).Single().Status);
    }

    [Fact]
    public async Task A_failing_notification_handler_does_not_stop_delivery()
    {
        var handler = new ConcurrencyProbe(TimeSpan.Zero, HttpStatusCode.InternalServerError);
        await using var host = await TestHost.StartAsync(
            o => o.RetrySchedule = [TimeSpan.Zero],
            build: b => b.AddNotificationHandler<ThrowingHandler>(),
            primaryHandler: handler);
        await host.SubscribeAsync(Endpoint);

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var delivery = await Eventually.WaitForAsync(async () => (await host.DeliveriesOfAsync(published.MessageId)).Single(), d => d.IsCompleted, "the delivery to finish");
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Equal(2, delivery.AttemptCount);
        await Eventually.WaitForAsync(() => Task.FromResult(host.Notifications.Exhausted.Count), n => n == 1, "the other handler to hear");
    }

    private sealed class ThrowingHandler : IWebhookNotificationHandler
    {
        public ValueTask OnAttemptFailedAsync(AttemptFailedNotification notification, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the host's mail server is down");
    }

    /// <summary>Answers after a delay and records how many requests were in flight at once.</summary>
    private sealed class ConcurrencyProbe(TimeSpan delay, HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
    {
        private int _inFlight;
        private int _maxInFlight;
        private int _started;
        private int _completed;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public int Started => Volatile.Read(ref _started);

        public int Completed => Volatile.Read(ref _completed);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _started);
            int now = Interlocked.Increment(ref _inFlight);
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }

            try
            {
                await Task.Delay(delay, cancellationToken);
                return new HttpResponseMessage(status);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
                Interlocked.Increment(ref _completed);
            }
        }
    }

    /// <summary>The store's queue as the dispatcher sees it, counting the deliveries it leases and the leases it ends.</summary>
    private sealed class CountingQueue : IDeliveryQueue
    {
        private IDeliveryQueue? _inner;
        private int _leased;
        private int _ended;

        public int Leased => Volatile.Read(ref _leased);

        public int Ended => Volatile.Read(ref _ended);

        /// <summary>Puts this in front of the in-memory store for everything that asks for <see cref="IDeliveryQueue"/>.</summary>
        public void Install(IWebhooksBuilder webhooks) => webhooks.Services.AddSingleton<IDeliveryQueue>(sp =>
        {
            _inner = (IDeliveryQueue)sp.GetRequiredService<IWebhookStore>();
            return this;
        });

        public async Task<IReadOnlyList<DeliveryLease>> LeaseAsync(int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
        {
            var leases = await _inner!.LeaseAsync(maxCount, leaseDuration, cancellationToken);
            Interlocked.Add(ref _leased, leases.Count);
            return leases;
        }

        public async Task<IReadOnlyList<bool>> EndLeasesAsync(IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken)
        {
            var held = await _inner!.EndLeasesAsync(ends, cancellationToken);
            Interlocked.Add(ref _ended, held.Count(h => h));
            return held;
        }

        public Task WaitForWorkAsync(CancellationToken cancellationToken) => _inner!.WaitForWorkAsync(cancellationToken);
    }

    /// <summary>Answers 200 with a 10-byte body of which no byte ever comes.</summary>
    private sealed class StallingBodyHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(new StallingStream());
            content.Headers.ContentLength = 10;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }

        private sealed class StallingStream : MemoryStream
        {
            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            }
        }
    }
}
