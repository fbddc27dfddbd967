using System.Text.Json;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Subscriptions;

/// <summary>Pings are sent once, never retried; what docs/subscriptions.md says about a failed one and about their data.</summary>
public class PingTests
{
    [Fact]
    public async Task A_failed_ping_is_not_retried_fails_its_delivery_and_leaves_the_subscription_healthy()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/ping", ReceiverResponse.Status(500));
        await using var host = await TestHost.StartAsync(o => o.DisableAfter = TimeSpan.Zero); // any counted failure would disable
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/ping"));

        string messageId = await host.Subscriptions.PingAsync(subscription.Id);

        var delivery = (await Eventually.WaitForAsync(() => host.DeliveriesOfAsync(messageId), d => d.Count == 1 && d[0].IsCompleted, "the ping finished")).Single();
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Equal(1, delivery.AttemptCount);
        Assert.Single(await host.AttemptsAsync(subscription.Id));
        using (var ping = JsonDocument.Parse(Assert.Single(receiver.Received).Body))
        {
            Assert.Equal($$"""{"subscriptionId":"{{subscription.Id}}","zen":"Webhooks are working."}""", ping.RootElement.GetProperty("data").GetRawText());
        }

        var exhausted = await Eventually.WaitForAsync(() => Task.FromResult(host.Notifications.Exhausted.ToList()), n => n.Count == 1, "the exhausted notification");
        Assert.Equal(AttemptTrigger.Ping, exhausted[0].Delivery.Trigger);
        Assert.False(Assert.Single(host.Notifications.AttemptsFailed).WillRetry);
        var stored = await host.Subscriptions.GetAsync(subscription.Id);
        Assert.True(stored!.IsActive);
        Assert.Equal(0, stored.ConsecutiveFailures);
    }
}
