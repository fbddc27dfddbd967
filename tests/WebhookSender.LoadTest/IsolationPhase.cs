using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WebhookSender.LoadTest;

/// <summary>
/// --isolation: do dead endpoints stall healthy ones? Subscriptions are spread over event types so that each event fans
/// out to ten of them; in every type, dead% of the ten point at hostile endpoints (<see cref="HostileEndpoints"/>: refused,
/// silent, slow headers, dripping body, in turn) and the rest at the receiver. Each run measures the same events twice:
/// once without the dead subscriptions, once with them, and compares when the last healthy delivery arrived and the
/// healthy deliveries' p99 publish→received latency. Then it checks the dead deliveries: none lost, none failed for good.
/// </summary>
internal static class IsolationPhase
{
    private const int FanOut = 10;

    public static async Task<int> RunAsync(LoadOptions options)
    {
        string secret = WebhookSecret.Generate();
        using var receiverProcess = Orchestrator.StartReceiver(options.Receiver, secret, out var url);
        using var receiver = new ReceiverClient(url);
        await using var hostile = new HostileEndpoints();
        int types = Math.Max(1, options.Subscriptions / FanOut);
        Console.WriteLine($"Isolation: {options.Events} events over {types} event types × {FanOut} subscriptions, {options.DeadPercent} % dead " +
                          $"({string.Join(", ", HostileEndpoints.Kinds)}), {options.EventsPerSecond} events/s, concurrency {options.Concurrency}, attempt timeout {options.AttemptTimeoutMs} ms, store {options.Store}, {options.Runs} runs.");
        var results = new List<IsolationResult>();
        try
        {
            for (int run = 1; run <= options.Runs; run++)
            {
                foreach (bool withDead in new[] { false, true })
                {
                    var result = await RunOnceAsync(options, receiver, hostile, secret, withDead);
                    results.Add(result);
                    Console.WriteLine($"  run {run} {(withDead ? "with dead" : "healthy  ")}  healthy {result.Received}/{result.Expected} in {result.Seconds,7:0.00} s  " +
                                      $"p50 {result.P50Ms,8:0.0} ms  p99 {result.P99Ms,8:0.0} ms  max {result.MaxMs,8:0.0} ms" +
                                      (withDead ? $"  dead: {result.DeadPending} pending, {result.DeadFailed} failed, {result.DeadAttempts} attempts, {result.Deferred} deferrals" : "") + (result.Deferred > 0 ? $" ({result.DeferredBy})" : ""));
                }
            }
        }
        finally
        {
            await receiver.StopAsync();
            if (!receiverProcess.WaitForExit(5_000))
            {
                receiverProcess.Kill();
            }
        }

        return PrintSummary(options, results);
    }

    private static int PrintSummary(LoadOptions options, List<IsolationResult> results)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var healthy = results.Where(r => !r.WithDead).ToList();
        var dead = results.Where(r => r.WithDead).ToList();
        double healthySeconds = Median(healthy.Select(r => r.Seconds)), deadSeconds = Median(dead.Select(r => r.Seconds));
        double healthyP99 = Median(healthy.Select(r => r.P99Ms)), deadP99 = Median(dead.Select(r => r.P99Ms));
        double allowedSeconds = 2 * healthySeconds + options.AttemptTimeoutMs / 1000.0;
        bool complete = results.All(r => r.Received == r.Expected) && dead.All(r => r.DeadFailed == 0 && r.DeadPending == r.DeadDeliveries);
        Console.WriteLine();
        Console.WriteLine($"medians: all healthy {healthySeconds:0.00} s, p99 {healthyP99:0.0} ms; with {options.DeadPercent} % dead {deadSeconds:0.00} s, p99 {deadP99:0.0} ms");
        Console.WriteLine($"time: {deadSeconds:0.00} s against {allowedSeconds:0.00} s allowed (2 × healthy + one attempt timeout): {(deadSeconds <= allowedSeconds ? "met" : "MISSED")}");
        Console.WriteLine($"p99: {deadP99:0.0} ms against {2 * healthyP99:0.0} ms allowed (2 × healthy): {(deadP99 <= 2 * healthyP99 ? "met" : "MISSED")}");
        Console.WriteLine(complete ? "every healthy delivery arrived; every dead delivery is still pending" : "!! some healthy deliveries are missing, or dead ones were lost or failed");
        return complete ? 0 : 1;
    }

    private static async Task<IsolationResult> RunOnceAsync(LoadOptions options, ReceiverClient receiver, HostileEndpoints hostile, string secret, bool withDead)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Error).AddSimpleConsole();
        int types = Math.Max(1, options.Subscriptions / FanOut);
        var webhooks = builder.Services
            .AddWebhooks(o =>
            {
                o.Destinations.AllowLoopback = true; // receiver and hostile endpoints are on 127.0.0.1
                o.PingOnCreate = false;
                o.MaxConcurrency = options.Concurrency;
                o.AttemptTimeout = TimeSpan.FromMilliseconds(options.AttemptTimeoutMs);
            })
            .AddEventType("load.warm", "Warm-up");
        for (int t = 0; t < types; t++)
        {
            webhooks.AddEventType(TypeName(t), "A load test event");
        }

        await using var store = await StoreSetup.ConfigureAsync(webhooks, options);
        using var host = builder.Build();
        using var deferred = new CounterListener("webhooks.delivery.deferred");
        await host.StartAsync();
        var subscriptions = host.Services.GetRequiredService<IWebhookSubscriptions>();
        var publisher = host.Services.GetRequiredService<IWebhookPublisher>();
        string padding = Payload.PaddingFor(options.PayloadBytes);

        // Warm up the JIT and the connection pool on a type of its own, then count only the measured run.
        await receiver.ResetAsync();
        for (int j = 0; j < FanOut; j++)
        {
            await subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = new Uri(receiver.BaseAddress, $"warm/{j}"), Secret = secret, EventTypes = ["load.warm"] });
        }

        await Task.WhenAll(Enumerable.Range(0, 500).Select(e => publisher.PublishAsync(new WebhookEvent("load.warm", new LoadData(0, e, padding)))));
        await receiver.WaitForAsync(500 * FanOut, TimeSpan.FromSeconds(60));

        int deadPerType = FanOut * options.DeadPercent / 100;
        var deadIds = new List<string>();
        int healthyPerType = 0;
        for (int i = 0; i < types * FanOut; i++)
        {
            int type = i % types, place = i / types;
            bool dead = place < deadPerType;
            if (dead && !withDead)
            {
                continue;
            }

            var target = dead ? hostile.UrlFor(HostileEndpoints.Kinds[i % HostileEndpoints.Kinds.Length], $"hooks/{i}") : new Uri(receiver.BaseAddress, $"hooks/{i}");
            var created = await subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = target, Secret = secret, EventTypes = [TypeName(type)] });
            if (dead)
            {
                deadIds.Add(created.Subscription.Id);
            }
            else if (type == 0)
            {
                healthyPerType++;
            }
        }

        await receiver.ResetAsync();
        long expected = (long)options.Events * healthyPerType;
        long start = Stopwatch.GetTimestamp();
        int next = -1;
        async Task PublishSomeAsync()
        {
            for (int e = Interlocked.Increment(ref next); e < options.Events; e = Interlocked.Increment(ref next))
            {
                // At the steady rate a busy app publishes at, so that latency measures the dispatcher, not a backlog.
                var due = TimeSpan.FromSeconds(e / (double)options.EventsPerSecond) - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }

                await publisher.PublishAsync(new WebhookEvent(TypeName(e % types), new LoadData(Stopwatch.GetTimestamp(), e, padding)));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Publishers)).Select(_ => Task.Run(PublishSomeAsync)));
        var stats = await receiver.WaitForAsync(expected, TimeSpan.FromMinutes(10));
        var result = new IsolationResult(withDead, expected, stats.Distinct, (stats.LastAt - start) / (double)Stopwatch.Frequency, stats.P50Ms, stats.P99Ms, stats.MaxMs)
        {
            Deferred = deferred.Total,
            DeferredBy = deferred.Breakdown,
        };

        if (withDead)
        {
            result = await WithDeadDeliveriesAsync(result, host.Services.GetRequiredService<IWebhookDeliveries>(), deadIds);
        }

        await host.StopAsync(TimeSpan.FromSeconds(2));
        return result;
    }

    /// <summary>Counts the dead subscriptions' deliveries by status, and the attempts made on them.</summary>
    private static async Task<IsolationResult> WithDeadDeliveriesAsync(IsolationResult result, IWebhookDeliveries deliveries, List<string> deadIds)
    {
        int total = 0, pending = 0, failed = 0, attempts = 0;
        foreach (var id in deadIds)
        {
            var query = new DeliveryQuery { SubscriptionId = id, Limit = 1000 };
            while (true)
            {
                var page = await deliveries.ListAsync(query);
                foreach (var delivery in page.Items)
                {
                    total++;
                    pending += delivery.IsCompleted ? 0 : 1;
                    failed += delivery.Status == DeliveryStatus.Failed ? 1 : 0;
                    attempts += delivery.AttemptCount;
                }

                if (page.NextCursor is null)
                {
                    break;
                }

                query = query with { Cursor = page.NextCursor };
            }
        }

        return result with { DeadDeliveries = total, DeadPending = pending, DeadFailed = failed, DeadAttempts = attempts };
    }

    private static string TypeName(int type) => "load.t" + type.ToString(CultureInfo.InvariantCulture);

    private sealed record IsolationResult(bool WithDead, long Expected, long Received, double Seconds, double P50Ms, double P99Ms, double MaxMs)
    {
        public long Deferred { get; init; }

        public string DeferredBy { get; init; } = "";

        public int DeadDeliveries { get; init; }

        public int DeadPending { get; init; }

        public int DeadFailed { get; init; }

        public int DeadAttempts { get; init; }
    }

    /// <summary>Sums one counter of the library's meter.</summary>
    private sealed class CounterListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _byTag = new();
        private long _total;

        /// <summary>The sums per tag value, for example per reason.</summary>
        public string Breakdown => string.Join(", ", _byTag.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));

        public CounterListener(string name)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "WebhookSender" && instrument.Name == name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                Interlocked.Add(ref _total, value);
                foreach (var tag in tags)
                {
                    _byTag.AddOrUpdate($"{tag.Value}", value, (_, sum) => sum + value);
                }
            });
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
