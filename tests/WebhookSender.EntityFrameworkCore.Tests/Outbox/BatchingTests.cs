using System.Text.Json;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;

namespace WebhookSender.EntityFrameworkCore.Tests.Outbox;

/// <summary>Subscriptions with batching on the durable store: a window's events go out together, once.</summary>
public sealed class BatchingTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Events_of_one_window_are_sent_as_one_batch(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await EfTestHost.StartAsync(database);
        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/batches"),
            Format = WebhookFormats.JsonArray,
            Batching = new WebhookBatching { Window = TimeSpan.FromSeconds(2), MaxSize = 50 },
        });

        var published = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { i }))).MessageId);
        }

        var deliveries = await Eventually.WaitForAsync(
            () => host.AllDeliveriesAsync(),
            all => all.Count == 5 && all.All(d => d.Status == DeliveryStatus.Succeeded),
            "the batched deliveries to succeed");

        // Five events in at most two windows (the publishes may straddle a window's end): at most two requests.
        var requests = receiver.Received;
        Assert.InRange(requests.Count, 1, 2);
        var ids = requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString())).ToList();
        Assert.Equal(published.Order(), ids.Order());
        Assert.All(deliveries, d => Assert.StartsWith("msg_", d.BatchKey, StringComparison.Ordinal));
    }
}
