using System.Collections.Concurrent;
using System.Globalization;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;
using Xunit.Abstractions;

namespace WebhookSender.EntityFrameworkCore.Tests.Latency;

/// <summary>
/// Measures publish → received latency (from calling PublishAsync to the receiver reading the request) with a poll far
/// longer than the measured times, so the numbers show the wake-up path: PostgreSQL NOTIFY/LISTEN across instances, the
/// in-process signal on SQLite. Reproduce: <c>dotnet test --filter "FullyQualifiedName~LatencyTests" --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class LatencyTests(ITestOutputHelper output)
{
    private const int Events = 200;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Publish_to_received_latency(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var dispatcher = await EfTestHost.StartAsync(database, store: o => o.PollInterval = Poll, output: output);

        // On PostgreSQL the publisher is another instance with no dispatcher: only NOTIFY can wake the one that sends.
        var publisher = provider == "postgres"
            ? await EfTestHost.StartAsync(database, store: o => o.PollInterval = Poll, output: output, start: false)
            : dispatcher;
        try
        {
            await publisher.SubscribeAsync(receiver.UrlFor("/hooks"));

            // A few warm-up events first (JIT, connection pools), then one event every 20 ms.
            await PublishAndWaitAsync(publisher, receiver, 5, new ConcurrentDictionary<string, DateTimeOffset>());
            var publishedAt = new ConcurrentDictionary<string, DateTimeOffset>();
            int before = receiver.Received.Count;
            await PublishAndWaitAsync(publisher, receiver, Events, publishedAt);

            var latencies = receiver.Received.Skip(before)
                .Where(r => publishedAt.ContainsKey(r.WebhookId!))
                .Select(r => (r.ReceivedAt - publishedAt[r.WebhookId!]).TotalMilliseconds)
                .Order()
                .ToArray();
            double p50 = Percentile(latencies, 0.50);
            double p99 = Percentile(latencies, 0.99);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{provider}: {latencies.Length} events, publish→received p50 {p50:0.0} ms, p99 {p99:0.0} ms, max {latencies[^1]:0.0} ms (poll {Poll.TotalSeconds} s)."));

            Assert.Equal(Events, latencies.Length);
            Assert.True(p99 < Poll.TotalMilliseconds / 2, $"p99 {p99:0} ms: the dispatcher should wake on new work, not at its poll.");
        }
        finally
        {
            if (!ReferenceEquals(publisher, dispatcher))
            {
                await publisher.DisposeAsync();
            }
        }
    }

    private static async Task PublishAndWaitAsync(EfTestHost publisher, WebhookTestReceiver receiver, int count, ConcurrentDictionary<string, DateTimeOffset> publishedAt)
    {
        var ids = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var at = DateTimeOffset.UtcNow;
            var result = await publisher.Publisher.PublishAsync(new WebhookEvent("order.created", new { i }));
            publishedAt[result.MessageId] = at;
            ids.Add(result.MessageId);
            await Task.Delay(20);
        }

        await receiver.WaitForAsync(all => ids.All(id => all.Any(r => r.WebhookId == id)), TimeSpan.FromSeconds(60));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
