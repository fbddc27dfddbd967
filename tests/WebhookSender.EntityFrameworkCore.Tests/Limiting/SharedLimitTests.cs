using Microsoft.Extensions.DependencyInjection;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Storage;
using WebhookSender.Testing;
using Xunit.Abstractions;

namespace WebhookSender.EntityFrameworkCore.Tests.Limiting;

/// <summary>Rate limits and ordered delivery shared by instances on one database (issue 23, items 1 and 4).</summary>
public sealed class SharedLimitTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_token_bucket_grants_at_most_its_burst_then_one_permit_per_interval(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = await EfTestHost.StartAsync(database, start: false);
        var limits = host.Services.GetRequiredService<IDeliveryLimitStore>();
        var second = TimeSpan.FromSeconds(1);

        // A new bucket is full: three of five; then none, and the next is free one interval on.
        var first = await limits.TakeRatePermitsAsync("rate:sub_a", 5, second, 3, Start, default);
        Assert.Equal((3, Start.AddSeconds(3)), (first.Granted, first.FullAt));
        var empty = await limits.TakeRatePermitsAsync("rate:sub_a", 1, second, 3, Start.AddMilliseconds(500), default);
        Assert.Equal(0, empty.Granted);
        Assert.Equal(Start.AddSeconds(1), empty.NextFreeAt(second, 3));

        // 1.5 s later one permit has come back (not two: a permit is whole), and other keys are their own buckets.
        Assert.Equal(1, (await limits.TakeRatePermitsAsync("rate:sub_a", 2, second, 3, Start.AddSeconds(1.5), default)).Granted);
        Assert.Equal(2, (await limits.TakeRatePermitsAsync("rate:sub_b", 2, second, 3, Start.AddSeconds(1.5), default)).Granted);

        // After a long quiet spell the bucket holds its burst, no more.
        Assert.Equal(3, (await limits.TakeRatePermitsAsync("rate:sub_a", 10, second, 3, Start.AddHours(1), default)).Granted);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_quota_counter_counts_up_to_its_limit_per_window_and_counts_on_when_the_limit_is_raised(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = await EfTestHost.StartAsync(database, start: false);
        var limits = host.Services.GetRequiredService<IDeliveryLimitStore>();
        var windowEnd = Start.AddDays(1);

        Assert.Equal(new QuotaCount(2, 2), await limits.TakeQuotaAsync("quota:tenant:acme:1", 2, 3, windowEnd, default));
        Assert.Equal(new QuotaCount(1, 3), await limits.TakeQuotaAsync("quota:tenant:acme:1", 2, 3, windowEnd, default));
        Assert.Equal(new QuotaCount(0, 3), await limits.TakeQuotaAsync("quota:tenant:acme:1", 1, 3, windowEnd, default));
        Assert.Equal(new QuotaCount(1, 4), await limits.TakeQuotaAsync("quota:tenant:acme:1", 1, 10, windowEnd, default));

        // Another window is another key; a quota of 0 counts nothing.
        Assert.Equal(new QuotaCount(1, 1), await limits.TakeQuotaAsync("quota:tenant:acme:2", 1, 3, windowEnd.AddDays(1), default));
        Assert.Equal(new QuotaCount(0, 0), await limits.TakeQuotaAsync("quota:tenant:zero:1", 1, 0, windowEnd, default));
    }

    [Fact]
    public async Task Two_instances_on_postgresql_share_one_rate_limit_instead_of_doubling_it()
    {
        const int Events = 12;
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var first = await EfTestHost.StartAsync(database, o => o.MaxConcurrency = 8, store: o => o.InstanceId = "instance-1", output: output);
        await using var second = await EfTestHost.StartAsync(database, o => o.MaxConcurrency = 8, store: o => o.InstanceId = "instance-2", output: output);
        await first.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/limited"),
            Controls = new WebhookDeliveryControls { RateLimit = WebhookRateLimit.PerSecond(5, burst: 1) },
        });

        for (int i = 0; i < Events; i++)
        {
            await (i % 2 == 0 ? first : second).Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }));
        }

        var received = await receiver.WaitForCountAsync("/limited", Events, TimeSpan.FromSeconds(60));

        // One bucket of 5 a second for both: eleven intervals of 200 ms after the first; doubled, it would take half that.
        var times = received.Select(r => r.ReceivedAt).Order().ToList();
        output.WriteLine($"{Events} requests in {(times[^1] - times[0]).TotalSeconds:0.00} s");
        Assert.True(times[^1] - times[0] >= TimeSpan.FromSeconds(2.0), $"{Events} requests in {(times[^1] - times[0]).TotalSeconds:0.00} s");
        Assert.Equal(Events, received.Select(r => r.WebhookId).Distinct().Count());
        Assert.Equal(Events, received.Count);
    }

    [Fact]
    public async Task Two_instances_on_postgresql_count_against_one_tenant_quota_and_notify_once()
    {
        const int Events = 10;
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        var notified = new System.Collections.Concurrent.ConcurrentQueue<QuotaExhaustedNotification>();
        EfTestHost[] hosts =
        [
            await StartWithQuotaAsync(database, "instance-1", notified),
            await StartWithQuotaAsync(database, "instance-2", notified),
        ];
        try
        {
            var subscription = (await hosts[0].Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.UrlFor("/acme"), TenantId = "acme" })).Subscription;
            for (int i = 0; i < Events; i++)
            {
                await hosts[i % 2].Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }) { TenantId = "acme" });
            }

            // Five go, whichever instance sends them; five are held, and nothing is lost.
            var all = await Eventually.WaitForAsync(
                async () => (await hosts[0].Deliveries.ListAsync(new DeliveryQuery { SubscriptionId = subscription.Id, Limit = 100 })).Items,
                d => d.Count(x => x.Status == DeliveryStatus.Succeeded) == 5 && d.Count(x => x.HoldReason is not null && x.Status == DeliveryStatus.Queued) == 5,
                "five delivered and five held");
            Assert.Equal(Events, all.Count);
            Assert.Equal(5, receiver.ReceivedOn("/acme").Count);
            Assert.Single(notified);

            // Released after a raise, they are counted again: past the quota, held again; nothing goes twice.
            Assert.Equal(5, await hosts[1].Deliveries.ReleaseQuotaHoldsAsync("acme"));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(5, receiver.ReceivedOn("/acme").Select(r => r.WebhookId).Distinct().Count());
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private Task<EfTestHost> StartWithQuotaAsync(TestDatabase database, string instanceId, System.Collections.Concurrent.ConcurrentQueue<QuotaExhaustedNotification> notified) =>
        EfTestHost.StartAsync(
            database,
            o => o.Quotas.PerTenant = 5,
            store: o => o.InstanceId = instanceId,
            build: webhooks => webhooks.Services.AddSingleton<IWebhookNotificationHandler>(new QuotaRecorder(notified)),
            output: output);

    private sealed class QuotaRecorder(System.Collections.Concurrent.ConcurrentQueue<QuotaExhaustedNotification> notified) : IWebhookNotificationHandler
    {
        public ValueTask OnQuotaExhaustedAsync(QuotaExhaustedNotification notification, CancellationToken cancellationToken)
        {
            notified.Enqueue(notification);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Two_instances_on_postgresql_deliver_an_ordered_subscription_in_publish_order_through_retries()
    {
        const int Events = 20;
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();

        // Every fifth message fails twice before it is taken: later ones must wait for it, whichever instance holds them.
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        receiver.Respond("/ordered", r => IsFlaky(r) && failures.AddOrUpdate(r.WebhookId!, 1, (_, n) => n + 1) <= 2
            ? ReceiverResponse.Status(503)
            : ReceiverResponse.Ok());
        await using var first = await EfTestHost.StartAsync(database, o => o.MaxConcurrency = 8, store: o => o.InstanceId = "instance-1", output: output);
        await using var second = await EfTestHost.StartAsync(database, o => o.MaxConcurrency = 8, store: o => o.InstanceId = "instance-2", output: output);
        await first.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/ordered"),
            Controls = new WebhookDeliveryControls { Ordered = true },
        });

        var published = new List<string>();
        for (int i = 0; i < Events; i++)
        {
            published.Add((await (i % 2 == 0 ? first : second).Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }))).MessageId);
        }

        var received = await receiver.WaitForCountAsync("/ordered", Events + 8, TimeSpan.FromSeconds(60));

        // Each message's attempts come together, and the messages in publish order.
        var order = received.Select(r => r.WebhookId!).Aggregate(new List<string>(), (list, id) =>
        {
            if (list.Count == 0 || list[^1] != id)
            {
                list.Add(id);
            }

            return list;
        });
        Assert.Equal(published, order);
        Assert.Equal(Events + 8, received.Count);

        static bool IsFlaky(ReceivedWebhook r) =>
            System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("n").GetInt32() % 5 == 0;
    }
}
