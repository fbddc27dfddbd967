using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Receivers;

public class TestReportTests
{
    [Fact]
    public async Task The_report_counts_a_receiver_that_fails_one_of_two_event_types()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/test", r => r.BodyText.Contains("\"type\":\"order.updated\"") ? ReceiverResponse.Status(422, "unknown status") : ReceiverResponse.Ok());
        await using var host = await TestHost.StartAsync(o => o.DisableAfter = TimeSpan.Zero);
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/test"), eventTypes: ["*"]);

        var report = await host.Subscriptions.TestAsync(subscription.Id);

        Assert.Equal(2, report.TestsRun);
        Assert.Equal(1, report.TestsSucceeded);
        Assert.Equal(1, report.TestsFailed);
        var failed = report.Tests.Single(t => !t.Succeeded);
        Assert.Equal("order.updated", failed.EventType);
        Assert.Equal(422, failed.StatusCode);
        Assert.Contains("422", failed.Error);
        var passed = report.Tests.Single(t => t.Succeeded);
        Assert.Equal(("order.created", 200), (passed.EventType, passed.StatusCode));
        Assert.All(report.Tests, t => Assert.True(t.Duration > TimeSpan.Zero));

        var received = receiver.ReceivedOn("/test");
        Assert.Equal(2, received.Count);
        Assert.Contains(received, r => r.BodyText.Contains("\"status\":\"paid\"")); // the catalog's example payload
        var attempts = await host.AttemptsAsync(subscription.Id);
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(AttemptTrigger.Test, a.Trigger));
        Assert.Equal(report.Tests.Select(t => t.AttemptId).Order(), attempts.Select(a => a.Id).Order());

        // DisableAfter = 0 would disable at the first counted failure: test attempts never count.
        var stored = await host.Subscriptions.GetAsync(subscription.Id);
        Assert.True(stored!.IsActive);
        Assert.Equal(0, stored.ConsecutiveFailures);
    }

    [Fact]
    public async Task One_event_type_can_be_tested_and_an_unknown_one_is_refused()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/one"), eventTypes: ["order.created"]);

        var report = await host.Subscriptions.TestAsync(subscription.Id, "order.updated");

        Assert.Equal("order.updated", Assert.Single(report.Tests).EventType);
        Assert.Equal(1, report.TestsSucceeded);
        await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.TestAsync(subscription.Id, "order.shipped"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => host.Subscriptions.TestAsync("sub_missing"));
    }
}
