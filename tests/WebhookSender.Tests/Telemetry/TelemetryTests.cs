using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
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
    public async Task Attempts_are_counted_and_timed_in_seconds_with_outcome_event_type_status_and_error_type_tags()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/fails", ReceiverResponse.Status(500));
        receiver.Respond("/slow", ReceiverResponse.Hang(TimeSpan.FromMilliseconds(300)));
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = [TimeSpan.FromHours(1)]);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var attempts = new MetricCollector<long>(meters, "WebhookSender", "webhooks.delivery.attempts");
        using var duration = new MetricCollector<double>(meters, "WebhookSender", "webhooks.delivery.duration");
        await host.SubscribeAsync(receiver.UrlFor("/ok"));
        await host.SubscribeAsync(receiver.UrlFor("/fails"));
        await host.SubscribeAsync(receiver.UrlFor("/slow"));
        await host.SubscribeAsync(new Uri($"http://127.0.0.1:{ClosedPort()}/refused"));

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        await Eventually.WaitForAsync(() => Task.FromResult(attempts.GetMeasurementSnapshot().Count), n => n == 4, "four attempt measurements");
        var measured = attempts.GetMeasurementSnapshot();
        Assert.Equal(2, measured.Count(m => Tag(m.Tags, "webhooks.outcome") == "success" && Tag(m.Tags, "webhooks.event_type") == "order.created"
            && Equals(m.Tags["http.response.status_code"], 200) && !m.Tags.ContainsKey("error.type")));
        Assert.Contains(measured, m => Tag(m.Tags, "webhooks.outcome") == "failure" && Equals(m.Tags["http.response.status_code"], 500) && Tag(m.Tags, "error.type") == "500");
        Assert.Contains(measured, m => Tag(m.Tags, "webhooks.outcome") == "error" && !m.Tags.ContainsKey("http.response.status_code") && Tag(m.Tags, "error.type") == "connection_error");
        Assert.All(measured, m => Assert.DoesNotContain(m.Tags.Values, v => v is string s && s.Contains("127.0.0.1")));

        // Seconds, as the semantic conventions say: the 300 ms answer is about 0.3, not 300 (timers may fire a little early).
        Assert.Equal("s", duration.Instrument!.Unit);
        var durations = await Eventually.WaitForAsync(() => Task.FromResult(duration.GetMeasurementSnapshot()), d => d.Count == 4, "four duration measurements");
        Assert.Contains(durations, d => Tag(d.Tags, "webhooks.outcome") == "success" && d.Value is >= 0.25 and < 30);
        Assert.All(durations, d => Assert.InRange(d.Value, 0, 30));
        Assert.Equal([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30, 60], ((Histogram<double>)duration.Instrument).Advice!.HistogramBucketBoundaries!);
    }

    [Fact]
    public async Task A_timed_out_attempt_has_the_error_type_timeout()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/hangs", ReceiverResponse.Hang(TimeSpan.FromSeconds(30)));
        await using var host = await TestHost.StartAsync(o =>
        {
            o.RetrySchedule = [TimeSpan.FromHours(1)];
            o.AttemptTimeout = TimeSpan.FromMilliseconds(200);
        });
        using var attempts = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "WebhookSender", "webhooks.delivery.attempts");
        await host.SubscribeAsync(receiver.UrlFor("/hangs"));

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        await Eventually.WaitForAsync(() => Task.FromResult(attempts.GetMeasurementSnapshot().Count), n => n == 1, "one attempt measurement");
        var measured = Assert.Single(attempts.GetMeasurementSnapshot());
        Assert.Equal(("error", "timeout"), (Tag(measured.Tags, "webhooks.outcome"), Tag(measured.Tags, "error.type")));
    }

    private static string? Tag(IReadOnlyDictionary<string, object?> tags, string name) => tags.TryGetValue(name, out var value) ? (string?)value : null;

    /// <summary>A port on 127.0.0.1 nothing listens on: connecting is refused at once.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
