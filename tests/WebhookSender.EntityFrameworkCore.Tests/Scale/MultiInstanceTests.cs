using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;
using Xunit.Abstractions;

namespace WebhookSender.EntityFrameworkCore.Tests.Scale;

/// <summary>Several app instances (separate service providers) share one PostgreSQL database's work.</summary>
public sealed class MultiInstanceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Three_dispatchers_deliver_2000_events_once_each(bool localHandoff)
    {
        const int Events = 2000;
        const int Instances = 3;
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        var sentBy = new int[Instances];
        var leaseLost = new ConcurrentBag<string>();
        var hosts = new List<EfTestHost>();
        try
        {
            for (int i = 0; i < Instances; i++)
            {
                int instance = i;
                hosts.Add(await EfTestHost.StartAsync(
                    database,
                    configure: o =>
                    {
                        o.MaxConcurrency = 16;
                        o.LeaseDuration = TimeSpan.FromSeconds(60);
                        o.LocalHandoff = localHandoff;
                    },
                    store: o => o.InstanceId = $"instance-{instance}",
                    build: webhooks =>
                    {
                        webhooks.ConfigureHttpClient(http => http.AddHttpMessageHandler(() => new CountingHandler(sentBy, instance)));
                        webhooks.Services.AddLogging(logging => logging.AddProvider(new EventCollector("LeaseLost", leaseLost)));
                    },
                    output: output));
            }

            await hosts[0].SubscribeAsync(receiver.UrlFor("/hooks"));
            var clock = Stopwatch.StartNew();

            // With the local handoff, every instance publishes a third (and sends at least what it publishes); without it, one
            // instance publishes everything and the store shares it out. Eight at a time.
            var published = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Events), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
            {
                var publisher = hosts[localHandoff ? n % Instances : 0].Publisher;
                var result = await publisher.PublishAsync(new WebhookEvent("order.created", new { n }), ct);
                published.Add(result.MessageId);
            });
            var publishTime = clock.Elapsed;

            await receiver.WaitForAsync(all => all.Select(r => r.WebhookId).Distinct().Count() >= Events, TimeSpan.FromMinutes(3));
            var deliverTime = clock.Elapsed;
            await Eventually.WaitForAsync(
                () => hosts[0].AllDeliveriesAsync(),
                all => all.Count == Events && all.All(d => d.Status == DeliveryStatus.Succeeded),
                "every delivery to be recorded as succeeded",
                TimeSpan.FromSeconds(60));

            var received = receiver.Received;
            int duplicates = received.Count - received.Select(r => r.WebhookId).Distinct().Count();
            output.WriteLine(
                $"{Events} events, {Instances} instances: published in {publishTime.TotalSeconds:0.0} s, all received after {deliverTime.TotalSeconds:0.0} s; " +
                $"sent per instance: {string.Join(", ", sentBy)}; duplicates: {duplicates}; leases lost: {leaseLost.Count}.");

            Assert.Equal(Events, published.Distinct().Count());
            Assert.Empty(published.Except(received.Select(r => r.WebhookId!)));
            Assert.All(sentBy, count => Assert.True(count > 0, $"Every instance should share the work: {string.Join(", ", sentBy)}."));

            // Duplicates come only from leases that expired while held; none expire with a 60 s lease.
            Assert.Empty(leaseLost);
            Assert.Equal(0, duplicates);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private sealed class CountingHandler(int[] counts, int index) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref counts[index]);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
