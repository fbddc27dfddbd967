using Microsoft.Extensions.Time.Testing;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Limiting;

/// <summary>Quotas per tenant and per subscription, end to end with a Kestrel receiver on 127.0.0.1 (issue 23, item 2).</summary>
public class QuotaTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 22, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Midnight = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Past_a_tenants_quota_deliveries_are_held_with_a_reason_one_notification_fires_and_raising_the_quota_releases_them()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        var time = new FakeTimeProvider(Start);
        long acmeQuota = 3;
        await using var host = await TestHost.StartAsync(o => o.Quotas.TenantQuota = tenant => tenant == "acme" ? acmeQuota : null, time: time);
        var acme = await host.SubscribeAsync(receiver.UrlFor("/acme"), tenantId: "acme");
        await host.SubscribeAsync(receiver.UrlFor("/globex"), tenantId: "globex");

        var published = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }) { TenantId = "acme" })).MessageId);
        }

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 9 }) { TenantId = "globex" });

        // Three go; two wait for the next window (UTC midnight), unattempted, and the log says why. Other tenants go on.
        await receiver.WaitForCountAsync("/globex", 1, TimeSpan.FromSeconds(10));
        var held = await Eventually.WaitForAsync(
            async () => (await host.Deliveries.ListAsync(new DeliveryQuery { SubscriptionId = acme.Id })).Items,
            all => all.Count(d => d.Status == DeliveryStatus.Succeeded) == 3 && all.Count(d => d.HoldReason is not null) == 2,
            "three delivered and two held");
        Assert.All(held.Where(d => d.HoldReason is not null), d =>
        {
            Assert.Equal((DeliveryStatus.Queued, 0, Midnight), (d.Status, d.AttemptCount, d.DueAt));
            Assert.Equal("Quota: tenant 'acme' has used its 3 requests of the window; held until 2026-03-02 00:00:00Z.", d.HoldReason);
        });
        Assert.Equal(3, receiver.ReceivedOn("/acme").Count);
        var notified = Assert.Single(host.Notifications.QuotasExhausted);
        Assert.Equal(("acme", (WebhookSubscription?)null, 3L, Midnight), (notified.TenantId, notified.Subscription, notified.Quota, notified.WindowEnd));

        // The tenant's plan goes up: the held two go now, not at midnight, and nothing is sent twice.
        acmeQuota = 10;
        Assert.Equal(2, await host.Deliveries.ReleaseQuotaHoldsAsync("acme"));
        var received = await receiver.WaitForCountAsync("/acme", 5, TimeSpan.FromSeconds(10));
        Assert.Equal(published.Order(StringComparer.Ordinal), received.Select(r => r.WebhookId!).Order(StringComparer.Ordinal));
        Assert.Single(host.Notifications.QuotasExhausted);
    }

    [Fact]
    public async Task A_quota_raised_while_deliveries_are_held_releases_them_by_itself_at_the_next_check()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        var time = new FakeTimeProvider(Start);
        long quota = 1;
        await using var host = await TestHost.StartAsync(o => o.Quotas.TenantQuota = _ => quota, time: time);
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/acme"), tenantId: "acme");
        for (int i = 0; i < 3; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }) { TenantId = "acme" });
        }

        await Eventually.WaitForAsync(
            async () => (await host.Deliveries.ListAsync(new DeliveryQuery { SubscriptionId = subscription.Id })).Items,
            all => all.Count(d => d.HoldReason is not null) == 2,
            "two held");

        // The plan goes up; no one calls anything: the next check (every 10 s) sees the raise and lets them go.
        quota = 5;
        time.Advance(QuotaRaises.CheckInterval);
        var received = await receiver.WaitForCountAsync("/acme", 3, TimeSpan.FromSeconds(10));
        Assert.Equal(3, received.Select(r => r.WebhookId).Distinct().Count());
    }

    [Fact]
    public async Task Deliveries_held_by_a_subscriptions_own_quota_go_when_the_next_window_opens()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        var time = new FakeTimeProvider(Start);
        await using var host = await TestHost.StartAsync(time: time);
        var subscription = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/own"),
            Controls = new WebhookDeliveryControls { Quota = 1 },
        })).Subscription;

        for (int i = 0; i < 3; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }));
        }

        var held = await Eventually.WaitForAsync(
            async () => (await host.Deliveries.ListAsync(new DeliveryQuery { SubscriptionId = subscription.Id })).Items,
            all => all.Count(d => d.HoldReason is not null) == 2,
            "two held by the subscription's quota");
        Assert.All(held.Where(d => d.HoldReason is not null), d => Assert.StartsWith("Quota: the subscription has used its 1 requests", d.HoldReason, StringComparison.Ordinal));
        var notified = Assert.Single(host.Notifications.QuotasExhausted);
        Assert.Equal(subscription.Id, notified.Subscription!.Id);

        // At midnight a new window: one more goes, the last waits for the window after.
        time.SetUtcNow(Midnight);
        await receiver.WaitForCountAsync("/own", 2, TimeSpan.FromSeconds(10));
        // Read until the third is back in the queue: between the dispatcher's lease and its hold it is in flight.
        var queued = await Eventually.WaitForAsync(
            async () => (await host.Deliveries.ListAsync(new DeliveryQuery { SubscriptionId = subscription.Id })).Items.Where(d => d.Status == DeliveryStatus.Queued).ToList(),
            all => all.Count == 1 && all[0].DueAt == Midnight.AddDays(1),
            "the third held until the next midnight");
        var last = Assert.Single(queued);
        Assert.Equal(0, last.AttemptCount);
        Assert.Equal(2, receiver.ReceivedOn("/own").Count);
    }
}
