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
