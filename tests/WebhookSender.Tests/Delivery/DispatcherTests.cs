using Microsoft.Extensions.DependencyInjection;
using System.Net;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Delivery;

public class DispatcherTests
{
    private static readonly Uri Endpoint = new("https://receiver.example/hooks");

    [Fact]
    public async Task Never_runs_more_attempts_at_once_than_MaxConcurrency()
    {
        var handler = new ConcurrencyProbe(TimeSpan.FromMilliseconds(30));
        await using var host = await TestHost.StartAsync(o => o.MaxConcurrency = 3, primaryHandler: handler);
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
}
