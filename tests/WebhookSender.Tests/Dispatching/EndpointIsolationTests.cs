using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Dispatching;

/// <summary>One slow or dead endpoint never stalls the others: probation pool, per-endpoint cap, circuit (issue 19, item 1).</summary>
public class EndpointIsolationTests
{
    [Fact]
    public async Task Endpoints_that_never_answer_do_not_hold_up_a_healthy_one()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o =>
        {
            o.MaxConcurrency = 4;
            o.AttemptTimeout = TimeSpan.FromMinutes(1); // longer than the test: a hanging attempt never ends in it
            o.RetrySchedule = [TimeSpan.FromHours(1)];
        });

        // Twice as many hanging endpoints as the dispatcher has slots, each with work queued before the healthy one's.
        for (int i = 0; i < 8; i++)
        {
            receiver.Respond($"/hang/{i}", ReceiverResponse.Hang(Timeout.InfiniteTimeSpan));
            await host.SubscribeAsync(receiver.UrlFor($"/hang/{i}"), eventTypes: "order.created");
        }

        await host.SubscribeAsync(receiver.UrlFor("/ok"), eventTypes: "order.updated");
        for (int i = 0; i < 2; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = i }));
        }

        await receiver.WaitForAsync(received => received.Count(r => r.Path.StartsWith("/hang/", StringComparison.Ordinal)) >= 8, TimeSpan.FromSeconds(10));
        for (int i = 0; i < 5; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.updated", new { id = i }));
        }

        // Before endpoints were isolated, the four slots hung for the whole attempt timeout and nothing else was sent.
        var healthy = await receiver.WaitForCountAsync("/ok", 5, TimeSpan.FromSeconds(10));
        Assert.Equal(5, healthy.Count);

        // Each hanging endpoint holds one attempt at a time (probation); its second delivery waits, not a second slot.
        Assert.Equal(8, receiver.Received.Count(r => r.Path.StartsWith("/hang/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_proven_endpoint_uses_at_most_its_share_of_the_slots_while_others_go_on()
    {
        var handler = new PerPathProbe(TimeSpan.FromMilliseconds(50));
        await using var host = await TestHost.StartAsync(o => o.MaxConcurrency = 8, primaryHandler: handler);
        await host.SubscribeAsync(new Uri("https://receiver.example/busy"), eventTypes: "order.created");
        await host.SubscribeAsync(new Uri("https://receiver.example/other"), eventTypes: "order.updated");

        for (int i = 0; i < 30; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = i }));
        }

        for (int i = 0; i < 5; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.updated", new { id = i }));
        }

        await Eventually.WaitForAsync(() => Task.FromResult(handler.Completed("/busy") + handler.Completed("/other")), n => n == 35, "35 requests");

        // A quarter of 8 slots: before, the busy endpoint took all eight.
        Assert.Equal(2, handler.MaxInFlight("/busy"));
        Assert.True(handler.OverlappedOther, "the other endpoint was sent to while the busy one had requests in flight");
    }

    [Fact]
    public async Task After_the_failure_threshold_the_circuit_defers_deliveries_without_attempts_until_one_probe_closes_it()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var handler = new PerPathProbe(TimeSpan.Zero) { Status = HttpStatusCode.InternalServerError };
        await using var host = await TestHost.StartAsync(
            o =>
            {
                o.RetrySchedule = [TimeSpan.FromHours(1)];
                o.Endpoints.FailureThreshold = 3;
                o.Endpoints.BreakDuration = TimeSpan.FromMinutes(1);
            },
            time: time,
            primaryHandler: handler);
        var subscription = await host.SubscribeAsync(new Uri("https://receiver.example/flaky"));

        var published = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = i }))).MessageId);
        }

        // Three attempts fail and open the circuit; the other three deliveries are put off to the end of the break, unattempted.
        var deliveries = await Eventually.WaitForAsync(
            () => AllDeliveriesAsync(host, published),
            all => all.Count(d => d.AttemptCount == 1) == 3 && all.Count(d => d is { AttemptCount: 0, Status: DeliveryStatus.Queued }) == 3,
            "three failed attempts and three deliveries deferred");
        var openedAt = time.GetUtcNow();
        Assert.All(deliveries.Where(d => d.AttemptCount == 0), d => Assert.Equal(openedAt + TimeSpan.FromMinutes(1), d.DueAt));
        Assert.Equal(3, handler.Completed("/flaky"));
        Assert.Equal(3, (await host.AttemptsAsync(subscription.Id)).Count);

        // The endpoint recovers; at the end of the break one probe goes, succeeds, and the rest follow.
        handler.Status = HttpStatusCode.OK;
        time.Advance(TimeSpan.FromMinutes(1));
        deliveries = await Eventually.WaitForAsync(
            () => AllDeliveriesAsync(host, published),
            all => all.Count(d => d.Status == DeliveryStatus.Succeeded) == 3,
            "the three deferred deliveries to succeed");
        Assert.All(deliveries.Where(d => d.Status == DeliveryStatus.Succeeded), d => Assert.Equal(1, d.AttemptCount));

        // The three that failed keep their own schedule: due an hour after their attempt, not moved by the circuit.
        Assert.All(deliveries.Where(d => d.Status != DeliveryStatus.Succeeded), d => Assert.Equal((DeliveryStatus.Queued, 1), (d.Status, d.AttemptCount)));
        Assert.Equal(6, handler.Completed("/flaky"));
    }

    [Fact]
    public async Task A_redelivery_asked_for_by_hand_goes_through_an_open_circuit()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var handler = new PerPathProbe(TimeSpan.Zero) { Status = HttpStatusCode.InternalServerError };
        await using var host = await TestHost.StartAsync(
            o =>
            {
                o.RetrySchedule = [];
                o.Endpoints.FailureThreshold = 2;
            },
            time: time,
            primaryHandler: handler);
        var subscription = await host.SubscribeAsync(new Uri("https://receiver.example/flaky"));
        var first = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }));
        await Eventually.WaitForAsync(() => Task.FromResult(handler.Completed("/flaky")), n => n == 2, "two failed attempts");

        handler.Status = HttpStatusCode.OK;
        var redelivery = await host.Deliveries.RedeliverAsync(first.MessageId, subscription.Id);

        var done = await Eventually.WaitForAsync(() => host.Store.GetDeliveryAsync(redelivery.Id, default), d => d!.IsCompleted, "the redelivery");
        Assert.Equal(DeliveryStatus.Succeeded, done!.Status);
    }

    [Fact]
    public async Task After_a_store_outage_new_local_work_ends_the_dispatchers_backoff()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var handler = new PerPathProbe(TimeSpan.Zero);
        var queue = new FailingQueue();
        await using var host = await TestHost.StartAsync(time: time, primaryHandler: handler, build: queue.Install);
        await host.SubscribeAsync(new Uri("https://receiver.example/hooks"));
        await Eventually.WaitForAsync(() => Task.FromResult(queue.Failures), n => n >= 1, "the dispatcher to meet the outage");

        // The store is back; a publish hands its delivery to the dispatcher, which is backing off (a fake second that never passes).
        queue.Failing = false;
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        await Eventually.WaitForAsync(() => Task.FromResult(handler.Completed("/hooks")), n => n == 1, "the delivery, without waiting out the backoff");
    }

    private static async Task<IReadOnlyList<WebhookDelivery>> AllDeliveriesAsync(TestHost host, IEnumerable<string> messageIds)
    {
        var all = new List<WebhookDelivery>();
        foreach (var id in messageIds)
        {
            all.AddRange(await host.DeliveriesOfAsync(id));
        }

        return all;
    }

    /// <summary>Answers after a delay with a settable status, recording requests in flight per path.</summary>
    private sealed class PerPathProbe(TimeSpan delay) : HttpMessageHandler
    {
        private readonly ConcurrentDictionary<string, int[]> _paths = new();
        private volatile bool _overlappedOther;

        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

        public bool OverlappedOther => _overlappedOther;

        public int MaxInFlight(string path) => Volatile.Read(ref Counters(path)[1]);

        public int Completed(string path) => Volatile.Read(ref Counters(path)[2]);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string path = request.RequestUri!.AbsolutePath;
            var counters = Counters(path);
            int now = Interlocked.Increment(ref counters[0]);
            int max;
            while (now > (max = Volatile.Read(ref counters[1])) && Interlocked.CompareExchange(ref counters[1], now, max) != max)
            {
            }

            if (path == "/other" && Volatile.Read(ref Counters("/busy")[0]) > 0)
            {
                _overlappedOther = true;
            }

            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken);
                }

                return new HttpResponseMessage(Status);
            }
            finally
            {
                Interlocked.Decrement(ref counters[0]);
                Interlocked.Increment(ref counters[2]);
            }
        }

        // In flight, most in flight, completed.
        private int[] Counters(string path) => _paths.GetOrAdd(path, _ => new int[3]);
    }

    /// <summary>The store's queue with an outage: leasing throws while <see cref="Failing"/> is set.</summary>
    private sealed class FailingQueue : IDeliveryQueue
    {
        private IDeliveryQueue? _inner;
        private int _failures;

        public volatile bool Failing = true;

        public int Failures => Volatile.Read(ref _failures);

        public void Install(IWebhooksBuilder webhooks) => webhooks.Services.AddSingleton<IDeliveryQueue>(sp =>
        {
            _inner = (IDeliveryQueue)sp.GetRequiredService<IWebhookStore>();
            return this;
        });

        public Task<IReadOnlyList<DeliveryLease>> LeaseAsync(int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
        {
            if (Failing)
            {
                Interlocked.Increment(ref _failures);
                throw new TimeoutException("The database does not answer.");
            }

            return _inner!.LeaseAsync(maxCount, leaseDuration, cancellationToken);
        }

        public Task<IReadOnlyList<bool>> EndLeasesAsync(IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken) => _inner!.EndLeasesAsync(ends, cancellationToken);

        public Task WaitForWorkAsync(CancellationToken cancellationToken) => _inner!.WaitForWorkAsync(cancellationToken);
    }
}
