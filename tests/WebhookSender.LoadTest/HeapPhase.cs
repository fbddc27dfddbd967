using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WebhookSender.Storage;

namespace WebhookSender.LoadTest;

/// <summary>
/// --heap: what the in-memory store (with the dispatcher's caches) keeps alive, in bytes of live heap after a full
/// collection: per pending delivery (the dispatcher not started; one subscription, then ten sharing each message) and per
/// attempt in the log (copies of a real attempt, each with strings of its own). The store's own bounds are lifted so that
/// nothing is dropped or refused while measuring.
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
            double attempt = await AttemptsAsync(options, receiver, secret, padding, attemptsPerMessage: 1);
            Console.WriteLine($"  per attempt in the log, one per message:   {attempt,12:N0} B");
            double retried = await AttemptsAsync(options, receiver, secret, padding, attemptsPerMessage: 10);
            Console.WriteLine($"  per attempt in the log, ten per message:   {retried,12:N0} B");
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
        using var host = Build(options, store =>
        {
            store.MaxPendingDeliveries = 10_000_000;
            store.MaxRetainedPayloadBytes = long.MaxValue;
        });
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

    /// <summary>
    /// One real attempt is made against the receiver; then a fresh store logs <c>events</c> copies of it, each with
    /// strings of its own (as separate attempts have), for distinct messages or ten attempts per message (retries).
    /// </summary>
    private static async Task<double> AttemptsAsync(LoadOptions options, ReceiverClient receiver, string secret, string padding, int attemptsPerMessage)
    {
        DeliveryAttempt template;
        using (var host = Build(options, _ => { }))
        {
            await host.StartAsync();
            await Subscribe(host, receiver, secret, 0);
            await receiver.ResetAsync();
            await host.Services.GetRequiredService<IWebhookPublisher>().PublishAsync(new WebhookEvent(Payload.EventType, new LoadData(Stopwatch.GetTimestamp(), 0, padding)));
            await receiver.WaitForAsync(1, TimeSpan.FromMinutes(1));
            var log = host.Services.GetRequiredService<IWebhookDeliveries>();
            IReadOnlyList<DeliveryAttempt> logged;
            while ((logged = (await log.ListAttemptsAsync(new AttemptQuery())).Items).Count == 0)
            {
                await Task.Delay(50);
            }

            template = logged[0];
            await host.StopAsync();
        }

        var services = new ServiceCollection();
        services.AddWebhooks().AddInMemoryStore(store =>
        {
            store.MaxAttempts = 10_000_000;
            store.MaxAttemptBytes = long.MaxValue;
        });
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IWebhookStore>();
        long before = LiveHeap();
        for (int i = 0; i < options.Events; i++)
        {
            await store.AddAttemptAsync(template with
            {
                Id = Guid.CreateVersion7(),
                MessageId = $"msg_{i / attemptsPerMessage:D32}",
                Request = template.Request with { Headers = new Dictionary<string, string>(template.Request.Headers), Body = new string(template.Request.Body.AsSpan()) },
                Response = template.Response! with { Headers = new Dictionary<string, string>(template.Response.Headers) },
            }, CancellationToken.None);
        }

        long after = LiveHeap();
        GC.KeepAlive(store);
        return (after - before) / (double)options.Events;
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
