using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WebhookSender.LoadTest;

/// <summary>
/// WebhookSender end to end: a host with the dispatcher at the given concurrency on the chosen store, M subscriptions on
/// the receiver, N events published. Completions are observed through the library's own metric
/// (<c>webhooks.delivery.attempts</c>), which also keeps the publish window.
/// </summary>
internal static class LibraryPhase
{
    public static async Task<PhaseResult> RunAsync(LoadOptions options, ReceiverClient receiver, string secret)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole();
        var webhooks = builder.Services
            .AddWebhooks(o =>
            {
                o.Destinations.AllowLoopback = true; // the receiver is on 127.0.0.1
                o.PingOnCreate = false;
                o.MaxConcurrency = options.Concurrency;
            })
            .AddEventType(Payload.EventType, "A load test event");
        await using var store = await StoreSetup.ConfigureAsync(webhooks, options);

        using var host = builder.Build();
        using var attempts = new AttemptCounter();
        await host.StartAsync();
        bool shared = options.Shared is not null;
        if (!shared)
        {
            await CreateSubscriptionsAsync(host.Services.GetRequiredService<IWebhookSubscriptions>(), options, receiver.BaseAddress, secret);
        }

        var publisher = host.Services.GetRequiredService<IWebhookPublisher>();
        string padding = Payload.PaddingFor(options.PayloadBytes);

        int warmUpRounds = await Measurement.WarmUpAsync(() => PublishAsync(publisher, attempts, options, padding, options.WarmupDeliveries / options.Subscriptions / 2));
        if (shared)
        {
            // --scale: the orchestrator starts every sender's measured part at once, once all are warm.
            await ScalePhase.ReadyAsync();
        }
        else
        {
            await receiver.ResetAsync();
        }

        GC.Collect();
        using var sampler = options.Allocations > 0 ? new AllocationSampler() : null;
        using var jit = options.Jit > 0 ? new JitSampler() : null;
        using var thrown = new ThrownCounter();
        long failedBefore = attempts.Failed;
        // With --scale the orchestrator measures the server and the receiver for all senders together.
        string? dataDirectory = shared ? null : PostgresCpu.DataDirectory(options);
        var serverBefore = dataDirectory is null ? default : PostgresCpu.Take(dataDirectory);
        var storedBefore = store.Postgres is { } database && !shared ? await StoredBytes.TakeAsync(database) : null;
        WalPosition? walBefore = storedBefore is not null ? await WalPosition.TakeAsync(store.Postgres!) : null;
        var start = Measurement.Take();
        sampler?.Start();
        jit?.Start();
        thrown.Start();
        await PublishAsync(publisher, attempts, options, padding, options.Events);
        thrown.Stop();
        jit?.Stop();
        sampler?.Stop();
        var end = Measurement.Take();
        var serverAfter = dataDirectory is null ? default : PostgresCpu.Take(dataDirectory);
        if (dataDirectory is not null)
        {
            Console.Error.WriteLine(serverAfter.Describe(serverBefore, options.TotalDeliveries));
        }

        thrown.Print(Console.Error, 5);
        sampler?.Print(Console.Error, options.Allocations);
        jit?.Print(Console.Error, options.Jit);
        var received = shared
            ? new PhaseResult { Phase = "library", Store = options.Store, Deliveries = options.TotalDeliveries, FailedAttempts = attempts.Failed - failedBefore }
            : Results.From("library", options, await receiver.WaitForAsync(options.TotalDeliveries, TimeSpan.FromSeconds(30)), start.Timestamp, attempts.Failed - failedBefore);
        WalPosition? walAfter = walBefore is not null ? await WalPosition.TakeAsync(store.Postgres!) : null;
        var storedAfter = storedBefore is not null ? await StoredBytes.TakeAsync(store.Postgres!) : null;
        if (storedAfter is not null)
        {
            Console.Error.WriteLine(storedAfter.Describe(storedBefore!, options.TotalDeliveries));
        }

        var result = start.Complete(end, options.TotalDeliveries, received) with
        {
            WarmUpRounds = warmUpRounds,
            ServerCpuMicrosecondsPerDelivery = dataDirectory is null ? null : serverAfter.MicrosecondsPerDelivery(serverBefore, options.TotalDeliveries),
            StoredBytesPerDelivery = storedAfter?.PerDelivery(storedBefore!, options.TotalDeliveries),
            WalBytesPerDelivery = walAfter?.PerDelivery(walBefore!.Value, options.TotalDeliveries),
        };
        Console.Error.WriteLine($"live heap after the run (store and caches full): {GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0:0.0} MiB");
        await host.StopAsync();
        return result;
    }

    /// <summary>M subscriptions on the receiver, one path each, for the load test's event type.</summary>
    public static async Task CreateSubscriptionsAsync(IWebhookSubscriptions subscriptions, LoadOptions options, Uri receiver, string secret)
    {
        for (int i = 0; i < options.Subscriptions; i++)
        {
            await subscriptions.CreateAsync(new WebhookSubscriptionRequest
            {
                Url = new Uri(receiver, $"hooks/{i}"),
                Secret = secret,
                EventTypes = [Payload.EventType],
            });
        }
    }

    /// <summary>Publishes <paramref name="events"/> events, keeping at most the window of deliveries unanswered, and waits for all.</summary>
    private static async Task PublishAsync(IWebhookPublisher publisher, AttemptCounter attempts, LoadOptions options, string padding, int events)
    {
        long target = attempts.Succeeded + (long)events * options.Subscriptions;
        var done = attempts.WaitForAsync(target);
        using var window = new SemaphoreSlim(Math.Min(options.EffectiveWindow, int.MaxValue / 2));
        attempts.Window = window;
        int next = -1;
        async Task PublishSomeAsync()
        {
            for (int e = Interlocked.Increment(ref next); e < events; e = Interlocked.Increment(ref next))
            {
                for (int s = 0; s < options.Subscriptions; s++)
                {
                    await window.WaitAsync();
                }

                await publisher.PublishAsync(new WebhookEvent(Payload.EventType, new LoadData(Stopwatch.GetTimestamp(), e, padding)));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Publishers)).Select(_ => Task.Run(PublishSomeAsync)));
        await done.WaitAsync(TimeSpan.FromMinutes(10));
        attempts.Window = null;
    }

    /// <summary>Listens to <c>webhooks.delivery.attempts</c>: counts outcomes, frees window slots, wakes the waiter.</summary>
    private sealed class AttemptCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _succeeded;
        private long _failed;
        private long _target = long.MaxValue;
        private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public AttemptCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "WebhookSender" && instrument.Name == "webhooks.delivery.attempts")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>(OnAttempt);
            _listener.Start();
        }

        public SemaphoreSlim? Window { get; set; }

        public long Succeeded => Interlocked.Read(ref _succeeded);

        public long Failed => Interlocked.Read(ref _failed);

        public Task WaitForAsync(long target)
        {
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _target, target);
            if (Succeeded >= target)
            {
                _reached.TrySetResult();
            }

            return _reached.Task;
        }

        private void OnAttempt(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "webhooks.outcome" && !Equals(tag.Value, "success"))
                {
                    // A failed attempt is retried later; its slot stays taken until it succeeds.
                    Interlocked.Increment(ref _failed);
                    return;
                }
            }

            Window?.Release();
            if (Interlocked.Increment(ref _succeeded) >= Volatile.Read(ref _target))
            {
                _reached.TrySetResult();
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
