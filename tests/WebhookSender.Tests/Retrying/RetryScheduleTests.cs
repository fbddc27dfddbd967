using System.Net;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Retrying;

/// <summary>The retry schedule walked in fake time: days of retries in milliseconds.</summary>
public class RetryScheduleTests
{
    private static readonly Uri Endpoint = new("https://receiver.example/hooks");

    [Fact]
    public async Task Attempts_follow_the_default_schedule_within_the_jitter_then_the_delivery_fails_and_the_handler_hears()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var http = new MockHttpMessageHandler();
        http.When("*").Respond(HttpStatusCode.InternalServerError);
        await using var host = await TestHost.StartAsync(time: time, primaryHandler: http);
        var subscription = await host.SubscribeAsync(Endpoint);

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 7 }));

        var delivery = await WalkScheduleAsync(host, time, published.MessageId);

        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        var schedule = WebhookOptions.DefaultRetrySchedule;
        var attempts = await host.AttemptsAsync(subscription.Id);
        AssertGapsFollow(schedule, attempts);
        Assert.Equal(Enumerable.Range(1, 11), attempts.Select(a => a.AttemptNumber));
        Assert.All(attempts, a => Assert.Equal(500, a.Response?.StatusCode));
        var exhausted = await Eventually.WaitForAsync(() => Task.FromResult(host.Notifications.Exhausted.ToList()), n => n.Count == 1, "the exhausted notification");
        Assert.Equal(published.MessageId, exhausted[0].Delivery.MessageId);
        Assert.Contains("all 11 attempts failed", exhausted[0].Reason);
        Assert.Equal(11, host.Notifications.AttemptsFailed.Count);
        Assert.Equal(1, host.Notifications.AttemptsFailed.Count(n => !n.WillRetry));
        var total = attempts[^1].StartedAt - attempts[0].StartedAt;
        var scheduled = schedule.Aggregate(TimeSpan.Zero, (sum, d) => sum + d); // about 75.6 hours
        Assert.InRange(total, scheduled * 0.8, scheduled * 1.2);
    }

    [Fact]
    public async Task A_subscription_schedule_overrides_the_default()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var http = new MockHttpMessageHandler();
        http.When("*").Respond(HttpStatusCode.BadGateway);
        await using var host = await TestHost.StartAsync(time: time, primaryHandler: http);
        await host.SubscribeAsync(Endpoint, retrySchedule: [TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4)]);

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 7 }));

        var delivery = await WalkScheduleAsync(host, time, published.MessageId);

        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        AssertGapsFollow([TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4)], await host.AttemptsAsync());
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, 120, 120)]
    [InlineData(HttpStatusCode.ServiceUnavailable, 90, 90)]
    [InlineData(HttpStatusCode.ServiceUnavailable, 7200, 3600)] // cut to MaxRetryAfter (1 hour)
    public async Task Retry_After_is_honoured_within_bounds(HttpStatusCode status, int retryAfterSeconds, int expectedSeconds)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var http = new MockHttpMessageHandler();
        http.When("*").Respond(_ =>
        {
            var response = new HttpResponseMessage(status);
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(retryAfterSeconds));
            return response;
        });
        await using var host = await TestHost.StartAsync(time: time, primaryHandler: http);
        await host.SubscribeAsync(Endpoint);

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 7 }));

        var delivery = await WaitForAttemptsAsync(host, published.MessageId, 1);
        Assert.Equal(DeliveryStatus.Queued, delivery.Status);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delivery.DueAt - time.GetUtcNow());
    }

    [Fact]
    public async Task Gone_disables_the_subscription_fails_the_delivery_and_notifies()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var http = new MockHttpMessageHandler();
        http.When("*").Respond(HttpStatusCode.Gone);
        await using var host = await TestHost.StartAsync(time: time, primaryHandler: http);
        var subscription = await host.SubscribeAsync(Endpoint);

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 7 }));

        var delivery = await WaitForAttemptsAsync(host, published.MessageId, 1);
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        var stored = await Eventually.WaitForAsync(() => host.Subscriptions.GetAsync(subscription.Id), s => s is { IsActive: false }, "the subscription to be disabled");
        Assert.Contains("410", stored!.DisabledReason);
        var disabled = await Eventually.WaitForAsync(() => Task.FromResult(host.Notifications.Disabled.ToList()), n => n.Count == 1, "the disabled notification");
        Assert.Equal(subscription.Id, disabled[0].Subscription.Id);
        Assert.Equal("whsec_********", disabled[0].Subscription.Secrets[0].Value);

        var next = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 8 }));
        Assert.Equal(0, next.DeliveryCount);
    }

    [Fact]
    public async Task An_endpoint_failing_past_DisableAfter_is_disabled_and_a_success_before_that_recovers_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        bool healthy = false;
        var http = new MockHttpMessageHandler();
        http.When("*").Respond(_ => new HttpResponseMessage(healthy ? HttpStatusCode.OK : HttpStatusCode.InternalServerError));
        await using var host = await TestHost.StartAsync(o => o.DisableAfter = TimeSpan.FromHours(3), time: time, primaryHandler: http);
        var subscription = await host.SubscribeAsync(Endpoint, retrySchedule: []);

        var first = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await WaitForAttemptsAsync(host, first.MessageId, 1);
        await Eventually.WaitForAsync(() => host.Subscriptions.GetAsync(subscription.Id), s => s!.ConsecutiveFailures == 1, "the failure streak to be recorded");
        time.Advance(TimeSpan.FromHours(1));
        healthy = true;
        var second = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }));
        await WaitForAttemptsAsync(host, second.MessageId, 1);
        await Eventually.WaitForAsync(() => Task.FromResult(host.Notifications.Recovered.Count), n => n == 1, "the recovered notification");
        Assert.Equal(0, (await host.Subscriptions.GetAsync(subscription.Id))!.ConsecutiveFailures);

        healthy = false;
        var third = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 3 }));
        await WaitForAttemptsAsync(host, third.MessageId, 1);
        await Eventually.WaitForAsync(() => host.Subscriptions.GetAsync(subscription.Id), s => s!.ConsecutiveFailures == 1, "the new failure streak to be recorded");
        time.Advance(TimeSpan.FromHours(3));
        var fourth = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 4 }));
        await WaitForAttemptsAsync(host, fourth.MessageId, 1);

        var stored = await Eventually.WaitForAsync(() => host.Subscriptions.GetAsync(subscription.Id), s => s is { IsActive: false }, "the subscription to be disabled");
        Assert.Equal(2, stored!.ConsecutiveFailures);
        Assert.Contains("failed for", stored.DisabledReason);
        await Eventually.WaitForAsync(() => Task.FromResult(host.Notifications.Disabled.Count), n => n == 1, "the disabled notification");
    }

    /// <summary>Advances fake time to each due time until the delivery is finished; returns it.</summary>
    private static async Task<WebhookDelivery> WalkScheduleAsync(TestHost host, FakeTimeProvider time, string messageId)
    {
        for (int step = 0; step < 100; step++)
        {
            var delivery = await Eventually.WaitForAsync(
                async () => (await host.DeliveriesOfAsync(messageId)).Single(),
                d => d.IsCompleted || (d.Status == DeliveryStatus.Queued && d.DueAt > time.GetUtcNow()),
                $"{messageId} to wait for its next attempt or finish");
            if (delivery.IsCompleted)
            {
                return delivery;
            }

            time.Advance(delivery.DueAt - time.GetUtcNow());
        }

        throw new InvalidOperationException("The delivery never finished.");
    }

    /// <summary>Attempt n+1 starts schedule[n] (±20 % jitter) after attempt n; there is one attempt more than retries.</summary>
    private static void AssertGapsFollow(IReadOnlyList<TimeSpan> schedule, IReadOnlyList<DeliveryAttempt> attempts)
    {
        Assert.Equal(Enumerable.Range(1, schedule.Count + 1), attempts.Select(a => a.AttemptNumber));
        for (int i = 0; i < schedule.Count; i++)
        {
            var gap = attempts[i + 1].StartedAt - attempts[i].StartedAt;
            Assert.InRange(gap, schedule[i] * 0.8, schedule[i] * 1.2);
        }
    }

    private static Task<WebhookDelivery> WaitForAttemptsAsync(TestHost host, string messageId, int attempts) =>
        Eventually.WaitForAsync(
            async () => (await host.DeliveriesOfAsync(messageId)).Single(),
            d => d.AttemptCount == attempts && d.Status != DeliveryStatus.Dispatched,
            $"attempt {attempts} of {messageId}");
}
