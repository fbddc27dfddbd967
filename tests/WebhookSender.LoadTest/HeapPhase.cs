using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WebhookSender.LoadTest;

/// <summary>
/// --heap: what the in-memory store (with the dispatcher's caches) keeps alive, in bytes of live heap after a full
/// collection: per pending delivery (the dispatcher not started; one subscription, then ten sharing each message) and per
/// attempt in the log (deliveries sent to the receiver; messages are dropped once delivered, so what grows is the log).
/// </summary>
internal static class HeapPhase
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        string secret = WebhookSecret.Generate();
        using var receiverProcess = Orchestrator.StartReceiver(options.Receiver, secret, out var url);
        using var receiver = new ReceiverClient(url);
        string padding = Payload.PaddingFor(options.PayloadBytes);
        try
        {
            Console.WriteLine($"Live heap, {options.PayloadBytes} B bodies, {options.Events} events:");
            double one = await PendingAsync(options, receiver, secret, padding, subscriptions: 1);
            Console.WriteLine($"  per pending delivery, 1 subscription:      {one,12:N0} B");
            double ten = await PendingAsync(options, receiver, secret, padding, subscriptions: 10);
            Console.WriteLine($"  per pending delivery, 10 sharing a message: {ten,12:N0} B");
            double attempt = await AttemptsAsync(options, receiver, secret, padding);
            Console.WriteLine($"  per attempt in the log:                    {attempt,12:N0} B");
        }
        finally
        {
            await receiver.StopAsync();
            if (!receiverProcess.WaitForExit(5_000))
            {
                receiverProcess.Kill();
            }
        }

        return 0;
    }

    private static async Task<double> PendingAsync(LoadOptions options, ReceiverClient receiver, string secret, string padding, int subscriptions)
    {
        // Not started: nothing is sent, every delivery stays pending.
        using var host = Build(options, store => store.MaxPendingDeliveries = 10_000_000);
        for (int i = 0; i < subscriptions; i++)
        {
            await Subscribe(host, receiver, secret, i);
        }

        var publisher = host.Services.GetRequiredService<IWebhookPublisher>();
        int events = Math.Max(1, options.Events / subscriptions);
        await publisher.PublishAsync(new WebhookEvent(Payload.EventType, new LoadData(0, -1, padding)));
        long before = LiveHeap();
        for (int e = 0; e < events; e++)
        {
            await publisher.PublishAsync(new WebhookEvent(Payload.EventType, new LoadData(Stopwatch.GetTimestamp(), e, padding)));
        }

        long after = LiveHeap();
        GC.KeepAlive(host);
        return (after - before) / (double)(events * subscriptions);
    }

    private static async Task<double> AttemptsAsync(LoadOptions options, ReceiverClient receiver, string secret, string padding)
    {
        using var host = Build(options, store =>
        {
            store.MaxRetainedMessages = 1;
            store.MaxAttempts = 10_000_000;
        });
        await host.StartAsync();
        await Subscribe(host, receiver, secret, 0);
        var publisher = host.Services.GetRequiredService<IWebhookPublisher>();
        await receiver.ResetAsync();

        // The first half fills the dispatcher's caches; the second half's growth is the log's.
        await PublishAndWaitAsync(publisher, receiver, padding, options.Events, 0);
        long before = LiveHeap();
        await PublishAndWaitAsync(publisher, receiver, padding, options.Events, options.Events);
        long after = LiveHeap();
        await host.StopAsync();
        return (after - before) / (double)options.Events;
    }

    private static async Task PublishAndWaitAsync(IWebhookPublisher publisher, ReceiverClient receiver, string padding, int events, int first)
    {
        for (int e = first; e < first + events; e++)
        {
            await publisher.PublishAsync(new WebhookEvent(Payload.EventType, new LoadData(Stopwatch.GetTimestamp(), e, padding)));
        }

        await receiver.WaitForAsync(first + events, TimeSpan.FromMinutes(5));

        // The receiver counts a request before the sender has logged its attempt.
        await Task.Delay(500);
    }

    private static IHost Build(LoadOptions options, Action<InMemory.InMemoryStoreOptions> store)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole();
        builder.Services
            .AddWebhooks(o =>
            {
                o.Destinations.AllowLoopback = true;
                o.PingOnCreate = false;
                o.MaxConcurrency = options.Concurrency;
            })
            .AddEventType(Payload.EventType, "A load test event")
            .AddInMemoryStore(store);
        return builder.Build();
    }

    private static Task Subscribe(IHost host, ReceiverClient receiver, string secret, int i) =>
        host.Services.GetRequiredService<IWebhookSubscriptions>().CreateAsync(new WebhookSubscriptionRequest
        {
            Url = new Uri(receiver.BaseAddress, $"hooks/{i}"),
            Secret = secret,
            EventTypes = [Payload.EventType],
        });

    private static long LiveHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
