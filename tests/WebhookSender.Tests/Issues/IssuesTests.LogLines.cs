using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Issues;

/// <summary>Issue 19: log lines read as one sentence each, end with a single full stop, and stay on one line.</summary>
public partial class IssuesTests
{
    [Fact]
    public async Task Retry_exhaustion_and_disabling_log_lines_have_no_doubled_full_stop()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/fails", ReceiverResponse.Status(500));
        receiver.Respond("/gone", ReceiverResponse.Gone());
        await using var host = await TestHost.StartAsync(
            o => o.RetrySchedule = [TimeSpan.Zero],
            build: b => b.Services.AddLogging(l => l.AddFakeLogging().SetMinimumLevel(LogLevel.Trace)));
        var failing = await host.SubscribeAsync(receiver.UrlFor("/fails"));
        var gone = await host.SubscribeAsync(receiver.UrlFor("/gone"));

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var collector = host.Services.GetFakeLogCollector();
        var logs = await Eventually.WaitForAsync(
            () => Task.FromResult(collector.GetSnapshot()),
            l => l.Any(r => r.Id.Name == "AttemptFailedWillRetry")
                && l.Count(r => r.Id.Name == "DeliveryExhausted") == 2
                && l.Any(r => r.Id.Name == "SubscriptionDisabled"),
            "the retry, both exhausted deliveries and the disabled subscription");

        var lines = logs.Where(r => r.Id.Name is "AttemptFailedWillRetry" or "DeliveryExhausted" or "SubscriptionDisabled").ToList();
        Assert.Contains(lines, l => l.Message.Contains(failing.Id) && l.Message.Contains("500 Internal Server Error. Next attempt at"));
        Assert.Contains(lines, l => l.Message.Contains(gone.Id) && l.Id.Name == "SubscriptionDisabled");
        Assert.All(lines, l =>
        {
            Assert.DoesNotContain("..", l.Message);
            Assert.EndsWith(".", l.Message);
        });
    }

    [Fact]
    public async Task Line_breaks_in_an_error_text_never_break_the_log_line()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        var formatted = new FormattedLogProvider();
        await using var host = await TestHost.StartAsync(
            o => o.RetrySchedule = [TimeSpan.FromHours(1)],
            build: b =>
            {
                b.Services.AddLogging(l => l.AddFakeLogging().AddProvider(formatted).SetMinimumLevel(LogLevel.Trace));
                b.ConfigureHttpClient(http => http.AddHttpMessageHandler(() => new ThrowingHandler("refused\r\nwarn: Forged[0]\u2028injected\u001b[2K")));
            });
        var subscription = await host.SubscribeAsync(receiver.UrlFor("/never"));

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var collector = host.Services.GetFakeLogCollector();
        var record = (await Eventually.WaitForAsync(
            () => Task.FromResult(collector.GetSnapshot().Where(r => r.Id.Name == "AttemptFailedWillRetry").ToList()),
            l => l.Count == 1,
            "the retry warning")).Single();
        Assert.Contains(subscription.Id, record.Message);
        Assert.Contains("refused\\r\\nwarn: Forged[0]\\u2028injected\\u001b[2K", record.Message);
        Assert.DoesNotContain(record.Message, c => char.IsControl(c) || c is '\u2028' or '\u2029');

        // The console's simple formatter in single-line mode, as an operator's terminal or log file gets it.
        // Each provider gets the entry in turn: the formatted one may arrive a moment after the fake logger's record.
        var lines = await Eventually.WaitForAsync(
            () => Task.FromResult(formatted.Entries.Where(e => e.Contains(subscription.Id) && e.Contains("Next attempt")).ToList()),
            l => l.Count == 1,
            "the formatted retry warning");
        var line = Assert.Single(lines);
        Assert.EndsWith(Environment.NewLine, line);
        Assert.DoesNotContain(line[..^Environment.NewLine.Length], c => char.IsControl(c) || c is '\u2028' or '\u2029');
    }

    /// <summary>A handler the host added that fails every request with its own (multi-line) message.</summary>
    private sealed class ThrowingHandler(string message) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(message);
    }
}
