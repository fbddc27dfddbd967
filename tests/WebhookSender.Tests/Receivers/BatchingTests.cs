using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Receivers;

/// <summary>Batches walked in fake time against a real receiver.</summary>
public class BatchingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 10, TimeSpan.Zero);

    [Fact]
    public async Task Events_of_a_window_go_out_together_split_by_the_maximum_size()
    {
        var time = new FakeTimeProvider(Start);
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(time: time);
        string secret = WebhookSecret.Generate();
        receiver.UseSecret("/batch", secret);
        await host.Subscriptions.CreateAsync(new()
        {
            Url = receiver.UrlFor("/batch"),
            Secret = secret,
            Format = WebhookFormats.JsonArray,
            Batching = new() { Window = TimeSpan.FromMinutes(5), MaxSize = 3 },
        });

        var published = new List<PublishResult>();
        for (int i = 0; i < 5; i++)
        {
            published.Add(await host.Publisher.PublishAsync(new WebhookEvent(i % 2 == 0 ? "order.created" : "order.updated", new { n = i })));
        }

        var waiting = await host.Deliveries.ListAsync(new DeliveryQuery());
        Assert.All(waiting.Items, d => Assert.Equal((DeliveryStatus.Queued, Start.AddSeconds(290)), (d.Status, d.DueAt)));
        Assert.Empty(receiver.Received);

        time.Advance(TimeSpan.FromMinutes(5));

        var batches = await receiver.WaitForCountAsync("/batch", 2, Wait);
        Assert.All(batches, b => Assert.True(b.SignatureValid));
        var ids = batches.Select(b => EventIds(b.Body)).ToList();
        Assert.Equal([2, 3], ids.Select(i => i.Count).Order());
        Assert.Equal(published.Select(p => p.MessageId).Order(), ids.SelectMany(i => i).Order());
        Assert.All(batches, b => Assert.DoesNotContain(b.WebhookId, published.Select(p => p.MessageId)));
        Assert.NotEqual(batches[0].WebhookId, batches[1].WebhookId);
        Assert.All(batches, b => Assert.False(b.Headers.ContainsKey("webhook-event-type"))); // mixed types
        await Eventually.WaitForAsync(async () => (await host.Deliveries.ListAsync(new DeliveryQuery())).Items, d => d.All(x => x.Status == DeliveryStatus.Succeeded), "all deliveries to succeed");
    }

    [Fact]
    public async Task A_retry_resends_the_same_batch_with_the_same_webhook_id()
    {
        var time = new FakeTimeProvider(Start);
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/retry", ReceiverResponse.FailTimesThenOk(1));
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = [TimeSpan.FromMinutes(1)], time: time);
        var created = await host.Subscriptions.CreateAsync(new()
        {
            Url = receiver.UrlFor("/retry"),
            Format = WebhookFormats.JsonArray,
            Batching = new() { Window = TimeSpan.FromMinutes(1), MaxSize = 10 },
        });
        for (int i = 0; i < 4; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }));
        }

        time.Advance(TimeSpan.FromMinutes(1));
        await receiver.WaitForCountAsync("/retry", 1, Wait);
        var queued = await Eventually.WaitForAsync(
            async () => (await host.Deliveries.ListAsync(new DeliveryQuery())).Items,
            d => d.All(x => x is { Status: DeliveryStatus.Queued, AttemptCount: 1 }),
            "the batch to be rescheduled");
        time.Advance(queued[0].DueAt - time.GetUtcNow());

        var sent = await receiver.WaitForCountAsync("/retry", 2, Wait);
        Assert.Equal(sent[0].WebhookId, sent[1].WebhookId);
        Assert.Equal(sent[0].BodyText, sent[1].BodyText);
        Assert.Equal(4, EventIds(sent[1].Body).Count);
        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(created.Subscription.Id), a => a.Count == 8, "an attempt per delivery per request");
        Assert.Equal(4, attempts.Count(a => a is { AttemptNumber: 2, Succeeded: true }));
        Assert.All(attempts, a => Assert.Equal(sent[0].WebhookId, a.Request.Headers["webhook-id"]));
    }

    private static List<string> EventIds(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
    }
}
