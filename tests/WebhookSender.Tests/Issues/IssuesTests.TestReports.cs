using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Issues;

/// <summary>Issue 19: a test against an endpoint that answers 410 says what a real delivery would do, not that it was done.</summary>
public partial class IssuesTests
{
    [Fact]
    public async Task A_test_answered_410_says_a_delivery_would_disable_the_subscription_and_leaves_it_active()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/gone", ReceiverResponse.Gone());
        await using var host = await TestHost.StartAsync();
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/gone"), eventTypes: ["order.created"]);

        var report = await host.Subscriptions.TestAsync(subscription.Id);

        var test = Assert.Single(report.Tests);
        Assert.Equal(410, test.StatusCode);
        Assert.Contains("asks to be unsubscribed", test.Error);
        Assert.Contains("would disable", test.Error);
        Assert.DoesNotContain("is disabled", test.Error);
        var attempt = Assert.Single(await host.AttemptsAsync(subscription.Id));
        Assert.Equal(test.Error, attempt.Error);
        Assert.True((await host.Subscriptions.GetAsync(subscription.Id))!.IsActive);
    }

    [Fact]
    public async Task A_delivery_answered_410_still_says_the_subscription_is_disabled()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/gone", ReceiverResponse.Gone());
        await using var host = await TestHost.StartAsync();
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/gone"));

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var stored = await Eventually.WaitForAsync(() => host.Subscriptions.GetAsync(subscription.Id), s => s is { IsActive: false }, "the subscription disabled");
        Assert.Contains("so the subscription is disabled", stored!.DisabledReason);
        var attempt = Assert.Single(await host.AttemptsAsync(subscription.Id));
        Assert.Contains("so the subscription is disabled", attempt.Error);
    }
}
