using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using System.Diagnostics.Metrics;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Limiting;

/// <summary>A subscription's own rate limit, circuit and ordering, end to end with a Kestrel receiver on 127.0.0.1 (issue 23).</summary>
public class DeliveryControlsTests
{
    [Fact]
    public async Task A_rate_limited_endpoint_gets_every_delivery_once_at_the_limits_pace_and_no_attempt_fails()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o => o.MaxConcurrency = 8);
        using var deferred = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), WebhookTelemetry.Name, WebhookTelemetry.DeferredName);
        var limited = await CreateAsync(host, receiver.UrlFor("/limited"), new WebhookDeliveryControls { RateLimit = WebhookRateLimit.PerSecond(5, burst: 2) });
        await host.SubscribeAsync(receiver.UrlFor("/free"));

        const int Events = 15;
        for (int i = 0; i < Events; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }));
        }

        var free = await receiver.WaitForCountAsync("/free", Events, TimeSpan.FromSeconds(10));
        var received = await receiver.WaitForCountAsync("/limited", Events, TimeSpan.FromSeconds(30));

        // Two at once (the burst), then five a second: the last no sooner than 13 intervals of 200 ms after the first.
        var times = received.Select(r => r.ReceivedAt).Order().ToList();
        Assert.True(times[^1] - times[0] >= TimeSpan.FromSeconds(2.4), $"15 requests in {(times[^1] - times[0]).TotalSeconds:0.00} s");
        Assert.All(times, t => Assert.True(times.Count(u => u >= t && u < t + TimeSpan.FromSeconds(1)) <= 8, "at most burst + limit (+1 for timing) in any second"));

        // The unlimited endpoint was not held back by its neighbour's limit.
        Assert.True(free.Max(r => r.ReceivedAt) < times[^1] - TimeSpan.FromSeconds(1));

        // Each once, each in one successful attempt: deferred, not failed.
        Assert.Equal(Events, received.Select(r => r.WebhookId).Distinct().Count());
        Assert.Equal(Events, received.Count);
        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(limited.Id), a => a.Count == Events, "15 attempts recorded");
        Assert.All(attempts, a => Assert.True(a.Succeeded));
        Assert.Contains(deferred.GetMeasurementSnapshot(), m => (string?)m.Tags["webhooks.defer_reason"] == "rate_limited");
    }

    [Fact]
    public async Task A_subscriptions_own_failure_threshold_opens_its_circuit_and_the_delivery_log_says_why_the_rest_wait()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/flaky", ReceiverResponse.Status(500));
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = [TimeSpan.FromHours(1)]);
        using var circuits = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), WebhookTelemetry.Name, WebhookTelemetry.CircuitChangesName);
        var subscription = await CreateAsync(
            host, receiver.UrlFor("/flaky"), new WebhookDeliveryControls { FailureThreshold = 1, BreakDuration = TimeSpan.FromMinutes(10) });

        var published = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }))).MessageId);
        }

        // One failure (the host's threshold is five): the other two go back to the queue, unattempted, with the reason.
        var deliveries = await Eventually.WaitForAsync(
            async () => (await host.Deliveries.ListAsync(new DeliveryQuery { SubscriptionId = subscription.Id })).Items,
            all => all.Count(d => d.AttemptCount == 1) == 1 && all.Count(d => d is { AttemptCount: 0, HoldReason: not null }) == 2,
            "one failed attempt and two deliveries held by the open circuit");
        Assert.All(deliveries.Where(d => d.AttemptCount == 0), d =>
        {
            Assert.StartsWith("The endpoint's circuit is open after 1 failed attempts in a row", d.HoldReason, StringComparison.Ordinal);
            Assert.True(d.DueAt > DateTimeOffset.UtcNow.AddMinutes(9));
        });
        Assert.Null(deliveries.Single(d => d.AttemptCount == 1).HoldReason);
        Assert.Single(receiver.ReceivedOn("/flaky"));
        Assert.Equal("open", (string?)Assert.Single(circuits.GetMeasurementSnapshot()).Tags["webhooks.circuit.state"]);
    }

    [Fact]
    public async Task An_ordered_subscription_gets_its_messages_one_at_a_time_in_publish_order_while_the_first_is_retried()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        var attemptsOfFirst = 0;
        receiver.Respond("/ordered", r => r.BodyText.Contains("\"n\":0", StringComparison.Ordinal) && Interlocked.Increment(ref attemptsOfFirst) <= 2
            ? ReceiverResponse.Status(500)
            : ReceiverResponse.Ok());
        await using var host = await TestHost.StartAsync(o => o.MaxConcurrency = 8);
        var subscription = await CreateAsync(
            host, receiver.UrlFor("/ordered"), new WebhookDeliveryControls { Ordered = true }, retrySchedule: [TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300)]);

        var published = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }))).MessageId);
        }

        // While the first is retrying, the second waits in the queue and the log says why.
        await receiver.WaitForCountAsync("/ordered", 1, TimeSpan.FromSeconds(10));
        var second = Assert.Single(await host.DeliveriesOfAsync(published[1]));
        Assert.Equal((DeliveryStatus.Queued, 0), (second.Status, second.AttemptCount));
        Assert.Equal("The subscription gets its messages in order: this one waits until the earlier ones have succeeded or failed for good.", second.HoldReason);

        var received = await receiver.WaitForCountAsync("/ordered", 8, TimeSpan.FromSeconds(20));
        Assert.Equal([published[0], published[0], published[0], .. published.Skip(1)], received.Select(r => r.WebhookId));
        Assert.Equal(subscription.Id, (await host.DeliveriesOfAsync(published[5])).Single().OrderKey);
    }

    [Fact]
    public async Task In_an_ordered_subscription_a_message_that_fails_for_good_lets_the_next_ones_go()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/ordered", r => r.BodyText.Contains("\"n\":0", StringComparison.Ordinal) ? ReceiverResponse.Status(500) : ReceiverResponse.Ok());
        await using var host = await TestHost.StartAsync();
        await CreateAsync(host, receiver.UrlFor("/ordered"), new WebhookDeliveryControls { Ordered = true }, retrySchedule: [TimeSpan.FromMilliseconds(200)]);

        var published = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }))).MessageId);
        }

        var received = await receiver.WaitForCountAsync("/ordered", 4, TimeSpan.FromSeconds(20));
        Assert.Equal([published[0], published[0], published[1], published[2]], received.Select(r => r.WebhookId));
        Assert.Equal(DeliveryStatus.Failed, (await host.DeliveriesOfAsync(published[0])).Single().Status);
    }

    [Fact]
    public async Task Invalid_controls_are_refused_before_anything_is_stored()
    {
        await using var host = await TestHost.StartAsync();
        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = new Uri("https://receiver.example/hooks"),
            Format = WebhookFormats.JsonArray,
            Batching = new WebhookBatching { Window = TimeSpan.FromSeconds(5) },
            Controls = new WebhookDeliveryControls
            {
                RateLimit = new WebhookRateLimit { Limit = 0 },
                MaxConcurrency = 0,
                FailureThreshold = -1,
                BreakDuration = TimeSpan.FromDays(2),
                Ordered = true,
            },
        }));

        var problems = error.Errors[nameof(WebhookSubscriptionRequest.Controls)];
        Assert.Equal(5, problems.Length);
        Assert.Contains(problems, p => p.StartsWith("A rate limit allows at least 1 request per period", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("choose one of Ordered and Batching", StringComparison.Ordinal));
        Assert.Empty((await host.Subscriptions.ListAsync(new SubscriptionQuery())).Items);
    }

    private static async Task<WebhookSubscription> CreateAsync(TestHost host, Uri url, WebhookDeliveryControls controls, IReadOnlyList<TimeSpan>? retrySchedule = null) =>
        (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = url, Controls = controls, RetrySchedule = retrySchedule })).Subscription;
}
