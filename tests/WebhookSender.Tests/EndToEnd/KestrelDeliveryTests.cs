using Polly;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.EndToEnd;

/// <summary>Real HTTP against a real Kestrel receiver on 127.0.0.1.</summary>
public class KestrelDeliveryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task N_events_to_M_subscriptions_all_arrive_exactly_once_with_valid_signatures()
    {
        const int events = 50, subscriptions = 4;
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        var paths = new List<string>();
        for (int i = 0; i < subscriptions; i++)
        {
            string path = $"/hooks/{i}";
            string secret = WebhookSecret.Generate();
            receiver.UseSecret(path, secret);
            await host.SubscribeAsync(receiver.UrlFor(path), secret);
            paths.Add(path);
        }

        var published = new List<PublishResult>();
        for (int i = 0; i < events; i++)
        {
            published.Add(await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { orderId = i, total = 12.5m * i, note = "caf\u00e9 \u2713" })));
        }

        await receiver.WaitForAsync(all => all.Count >= events * subscriptions, Wait);
        Assert.All(published, p => Assert.Equal(subscriptions, p.DeliveryCount));
        foreach (string path in paths)
        {
            var received = receiver.ReceivedOn(path);
            Assert.Equal(events, received.Count);
            Assert.Equal(published.Select(p => p.MessageId).Order(), received.Select(r => r.WebhookId!).Order());
            Assert.All(received, r => Assert.True(r.SignatureValid, $"invalid signature on {r}"));
        }

        var first = receiver.ReceivedOn(paths[0]).Single(r => r.WebhookId == published[3].MessageId);
        using var json = JsonDocument.Parse(first.Body);
        Assert.Equal(published[3].MessageId, json.RootElement.GetProperty("id").GetString());
        Assert.Equal("order.created", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("data").GetProperty("orderId").GetInt32());
        Assert.Equal("caf\u00e9 \u2713", json.RootElement.GetProperty("data").GetProperty("note").GetString());
        Assert.StartsWith("application/json", first.ContentType);
        Assert.Equal("POST", first.Method);
        // The default user-agent carries the version set once in Directory.Build.props, which this assembly has too.
        Assert.Equal($"WebhookSender/{typeof(KestrelDeliveryTests).Assembly.GetName().Version!.ToString(3)}", first.Headers["user-agent"]);
    }

    [Fact]
    public async Task A_receiver_failing_twice_gets_the_message_on_the_third_attempt_and_the_log_shows_three()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/flaky", ReceiverResponse.FailTimesThenOk(2));
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = [TimeSpan.Zero, TimeSpan.FromMilliseconds(50)]);
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/flaky"));

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.updated", new { id = 1 }));

        await receiver.WaitForCountAsync("/flaky", 3, Wait);
        var delivery = await Eventually.WaitForAsync(async () => await host.Deliveries.ListAsync(new DeliveryQuery { MessageId = published.MessageId }), p => p.Items.Single().IsCompleted, "the delivery to complete");
        Assert.Equal(DeliveryStatus.Succeeded, delivery.Items.Single().Status);
        var attempts = await host.AttemptsAsync(subscription.Id);
        Assert.Equal([1, 2, 3], attempts.Select(a => a.AttemptNumber));
        Assert.Equal([500, 500, 200], attempts.Select(a => a.Response!.StatusCode));
        Assert.Equal([false, false, true], attempts.Select(a => a.Succeeded));
        Assert.All(receiver.ReceivedOn("/flaky"), r => Assert.Equal(published.MessageId, r.WebhookId));
        Assert.All(attempts, a => Assert.Equal(published.MessageId, a.MessageId));
        Assert.All(attempts, a => Assert.True(a.Duration > TimeSpan.Zero));
        Assert.Contains("\"id\":\"" + published.MessageId, attempts[0].Request.Body);
        Assert.Equal(published.MessageId, attempts[0].Request.Headers["webhook-id"]);
    }

    public static TheoryData<string, string> Misbehaviours => new()
    {
        { "hang", "No complete response within 1 s" },
        { "redirect", "redirects are never followed" },
        { "huge", "larger than 65536 bytes" },
        { "reset", "closed or reset before a complete response" },
        { "error", "answered 500" },
    };

    [Theory]
    [MemberData(nameof(Misbehaviours))]
    public async Task A_misbehaving_receiver_is_a_logged_failed_attempt_while_healthy_deliveries_keep_flowing(string behaviour, string expectedError)
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/bad", behaviour switch
        {
            "hang" => ReceiverResponse.Hang(TimeSpan.FromSeconds(30)),
            "redirect" => ReceiverResponse.Redirect("https://elsewhere.example/"),
            "huge" => ReceiverResponse.LargeBody(5 * 1024 * 1024),
            "reset" => ReceiverResponse.Reset(),
            _ => ReceiverResponse.Status(500, "boom"),
        });
        await using var host = await TestHost.StartAsync(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.RetrySchedule = [TimeSpan.FromMinutes(10)];
        });
        var bad = await host.SubscribeAsync(receiver.UrlFor("/bad"));
        // The healthy endpoint retries at once: under a loaded test run one of its attempts may outlast the tight 1 s timeout.
        var good = await host.SubscribeAsync(receiver.UrlFor("/good"), retrySchedule: [.. Enumerable.Repeat(TimeSpan.Zero, 5)]);

        var first = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        var attempt = (await Eventually.WaitForAsync(() => host.AttemptsAsync(bad.Id), a => a.Count == 1, "the failed attempt", Wait)).Single();
        for (int i = 2; i <= 5; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = i }));
        }

        await receiver.WaitForCountAsync("/good", 5, Wait);
        Assert.False(attempt.Succeeded);
        Assert.Contains(expectedError, attempt.Error);
        Assert.Equal(first.MessageId, attempt.MessageId);
        var delivery = (await host.DeliveriesOfAsync(first.MessageId)).Single(d => d.SubscriptionId == bad.Id);
        Assert.Equal(DeliveryStatus.Queued, delivery.Status); // retried later, not dropped
        Assert.Equal(1, delivery.AttemptCount);
        if (behaviour == "huge")
        {
            Assert.Equal(65536, attempt.Response!.Body.Length);
            Assert.True(attempt.Response.BodyTruncated);
        }
    }

    public static TheoryData<string, string> HostHandlers => new()
    {
        { "polly-timeout", "TimeoutRejectedException" },
        { "throwing", "InvalidOperationException: the host's handler failed" },
    };

    [Theory]
    [MemberData(nameof(HostHandlers))]
    public async Task What_a_handler_the_host_added_throws_is_a_logged_failed_attempt_that_is_retried(string handler, string expectedError)
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/slow", ReceiverResponse.Hang(TimeSpan.FromSeconds(30)));
        await using var host = await TestHost.StartAsync(
            o => o.RetrySchedule = [TimeSpan.FromMinutes(10)],
            build: webhooks => webhooks.ConfigureHttpClient(http =>
            {
                if (handler == "polly-timeout")
                {
                    // Shorter than AttemptTimeout (15 s): the host's own pipeline gives up first.
                    http.AddResilienceHandler("host", pipeline => pipeline.AddTimeout(TimeSpan.FromMilliseconds(300)));
                }
                else
                {
                    http.AddHttpMessageHandler(() => new ThrowingHandler());
                }
            }));
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/slow"));

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempt = (await Eventually.WaitForAsync(() => host.AttemptsAsync(subscription.Id), a => a.Count == 1, "the failed attempt", Wait)).Single();
        Assert.False(attempt.Succeeded);
        Assert.Null(attempt.Response);
        Assert.Contains(expectedError, attempt.Error);
        var delivery = (await host.DeliveriesOfAsync(published.MessageId)).Single();
        Assert.Equal(DeliveryStatus.Queued, delivery.Status); // retried on the schedule, not lost
        Assert.Equal(1, delivery.AttemptCount);
    }

    private sealed class ThrowingHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the host's handler failed");
    }

    [Fact]
    public async Task The_destination_guard_refuses_loopback_when_not_allowed_and_nothing_reaches_the_receiver()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o =>
        {
            o.Destinations.AllowLoopback = false;
            o.RetrySchedule = [TimeSpan.FromMinutes(10)];
        });
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/guarded"));

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempt = (await Eventually.WaitForAsync(() => host.AttemptsAsync(subscription.Id), a => a.Count == 1, "the refused attempt", Wait)).Single();
        Assert.False(attempt.Succeeded);
        Assert.Null(attempt.Response);
        Assert.Contains("127.0.0.1", attempt.Error);
        Assert.Contains("loopback", attempt.Error);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task Creating_a_subscription_sends_a_ping_and_PingAsync_another()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o => o.PingOnCreate = true);
        string secret = WebhookSecret.Generate();
        receiver.UseSecret("/ping", secret);

        var created = await host.SubscribeAsync(receiver.UrlFor("/ping"), secret, eventTypes: ["order.created"]);
        string second = await host.Subscriptions.PingAsync(created.Id);

        var received = await receiver.WaitForCountAsync("/ping", 2, Wait);
        Assert.All(received, r => Assert.True(r.SignatureValid));
        Assert.All(received, r => Assert.Contains("\"type\":\"webhook.ping\"", r.BodyText));
        Assert.Contains(received, r => r.WebhookId == second);
        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(created.Id), a => a.Count == 2, "two ping attempts");
        Assert.All(attempts, a => Assert.Equal(AttemptTrigger.Ping, a.Trigger));
    }

    [Fact]
    public async Task Redelivery_sends_the_same_webhook_id_with_trigger_manual()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/again"));
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await receiver.WaitForCountAsync("/again", 1, Wait);

        var redelivery = await host.Deliveries.RedeliverAsync(published.MessageId, subscription.Id);

        var received = await receiver.WaitForCountAsync("/again", 2, Wait);
        Assert.Equal([published.MessageId, published.MessageId], received.Select(r => r.WebhookId));
        Assert.Equal(received[0].BodyText, received[1].BodyText);
        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(subscription.Id), a => a.Count == 2, "two attempts");
        Assert.Equal(AttemptTrigger.Manual, attempts.Single(a => a.DeliveryId == redelivery.Id).Trigger);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => host.Deliveries.RedeliverAsync("msg_missing", subscription.Id));
    }

    [Fact]
    public async Task Publishing_matches_by_event_type_and_tenant_and_honours_the_idempotency_key()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        await host.SubscribeAsync(receiver.UrlFor("/all"), eventTypes: ["*"]);
        await host.SubscribeAsync(receiver.UrlFor("/created"), eventTypes: ["order.created"]);
        await host.SubscribeAsync(receiver.UrlFor("/tenant-a"), tenantId: "a");
        var inactive = await host.SubscribeAsync(receiver.UrlFor("/inactive"));
        await host.Subscriptions.DisableAsync(inactive.Id, "paused");

        var updated = await host.Publisher.PublishAsync(new WebhookEvent("order.updated", new { id = 1 }));
        var created = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }) { Id = "order-2-created" });
        var duplicate = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }) { Id = "order-2-created" });
        var tenant = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 3 }) { TenantId = "a" });

        Assert.Equal(1, updated.DeliveryCount);
        Assert.Equal(2, created.DeliveryCount);
        Assert.True(duplicate.IsDuplicate);
        Assert.Equal(created.MessageId, duplicate.MessageId);
        Assert.Equal(0, duplicate.DeliveryCount);
        Assert.Equal(1, tenant.DeliveryCount);
        await receiver.WaitForAsync(all => all.Count >= 4, Wait);
        Assert.Equal(2, receiver.ReceivedOn("/all").Count);
        Assert.Single(receiver.ReceivedOn("/created"));
        Assert.Equal(tenant.MessageId, Assert.Single(receiver.ReceivedOn("/tenant-a")).WebhookId);
        Assert.Empty(receiver.ReceivedOn("/inactive"));
    }
}
