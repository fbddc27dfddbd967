using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Telemetry;

public class TelemetryTests
{
    [Fact]
    public async Task Attempts_are_counted_and_timed_with_outcome_and_event_type_tags()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/fails", ReceiverResponse.Status(500));
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = [TimeSpan.FromHours(1)]);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var attempts = new MetricCollector<long>(meters, "WebhookSender", "webhooks.delivery.attempts");
        using var duration = new MetricCollector<double>(meters, "WebhookSender", "webhooks.delivery.duration");
        await host.SubscribeAsync(receiver.UrlFor("/ok"));
        await host.SubscribeAsync(receiver.UrlFor("/fails"));

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        await Eventually.WaitForAsync(() => Task.FromResult(attempts.GetMeasurementSnapshot().Count), n => n == 2, "two attempt measurements");
        var measured = attempts.GetMeasurementSnapshot();
        Assert.Contains(measured, m => (string?)m.Tags["webhooks.outcome"] == "success" && (string?)m.Tags["webhooks.event_type"] == "order.created");
        Assert.Contains(measured, m => (string?)m.Tags["webhooks.outcome"] == "failure");
        Assert.All(measured, m => Assert.DoesNotContain(m.Tags.Values, v => v is string s && s.Contains("127.0.0.1")));
        Assert.Equal(2, duration.GetMeasurementSnapshot().Count);
        Assert.Equal("ms", duration.Instrument!.Unit);
    }

    [Fact]
    public async Task Logs_never_contain_secrets_or_url_paths()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/hooks/T0001/s3cr3t-path", ReceiverResponse.Status(500));
        await using var host = await TestHost.StartAsync(
            o => o.RetrySchedule = [TimeSpan.Zero],
            build: b => b.Services.AddLogging(l => l.AddFakeLogging().SetMinimumLevel(LogLevel.Trace)));
        string secret = WebhookSecret.Generate();
        var url = new Uri(receiver.UrlFor("/hooks/T0001/s3cr3t-path") + "?token=s3cr3t-query");
        var subscription = await host.SubscribeAsync(url, secret);

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        await Eventually.WaitForAsync(() => host.AttemptsAsync(subscription.Id), a => a.Count == 2, "two failed attempts");

        // Each attempt is stored before the dispatcher logs its outcome: wait for both lines, not only for the attempts. The
        // retry is due at once, so under load the second attempt can be stored and logged before the first one's warning.
        var collector = host.Services.GetFakeLogCollector();
        await Eventually.WaitForAsync(
            () => Task.FromResult(collector.GetSnapshot()),
            l => l.Any(r => r.Level == LogLevel.Error && r.Message.Contains("failed for good")) && l.Any(r => r.Level == LogLevel.Warning && r.Message.Contains(subscription.Id)),
            "the warning and the error log lines");
        var logs = collector.GetSnapshot();
        Assert.Contains(logs, l => l.Level == LogLevel.Warning && l.Message.Contains(subscription.Id));
        Assert.All(logs, l =>
        {
            Assert.DoesNotContain("s3cr3t", l.Message);
            Assert.DoesNotContain(secret[6..], l.Message);
        });
        var attempt = (await host.AttemptsAsync(subscription.Id))[0];
        Assert.DoesNotContain(secret[6..], string.Join(" ", attempt.Request.Headers.Values) + attempt.Request.Body);
    }
}
