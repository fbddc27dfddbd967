using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using WebhookSender.EntityFrameworkCore;
using WebhookSender.Storage;

namespace WebhookSender.LoadTest;

/// <summary>
/// What the store costs per delivery when nothing else competes for the machine: one at a time (or with
/// <c>writers=N</c>, N at once), a message with one
/// delivery per subscription is stored leased (as a process's own publish is), and then all their leases end in one
/// write with their attempts, as the dispatcher writes them. No HTTP, no dispatcher, no concurrency: the figures are the
/// store's work alone, steady from run to run where the end-to-end figures on 2 shared cores are not. With
/// <c>WEBHOOKSENDER_PGDATA</c> set to a local PostgreSQL's data directory, the server's CPU per delivery is measured too.
/// </summary>
internal static class StoreCostPhase
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        var services = new ServiceCollection().AddLogging();
        var webhooks = services.AddWebhooks().AddEventType(Payload.EventType, "A load test event");
        await using var run = await StoreSetup.ConfigureAsync(webhooks, options);
        if (options.Reuse)
        {
            // Everything succeeded is past its retention at once; the cleanup runs only when started below.
            services.Configure<EntityFrameworkStoreOptions>(o => (o.SucceededRetention, o.CleanupInterval) = (TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1)));
        }

        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IWebhookStore>();
        var queue = provider.GetRequiredService<IDeliveryQueue>();
        var body = JsonSerializer.SerializeToElement(new LoadData(0, 0, Payload.PaddingFor(options.PayloadBytes)));
        string request = JsonSerializer.Serialize(body);

        // Each writer does its share of the rounds, one after another; several writers contend as a busy host's would.
        Task RoundsAsync(int count) => Task.WhenAll(Enumerable.Range(0, options.Writers).Select(async writer =>
        {
            for (int i = writer; i < count; i += options.Writers)
            {
                await RoundAsync(store, queue, options.Subscriptions, body, request);
            }
        }));

        await Measurement.WarmUpAsync(() => RoundsAsync(Math.Max(1, options.WarmupDeliveries / options.Subscriptions / 2)));
        string? dataDirectory = PostgresCpu.DataDirectory(options);
        var serverBefore = dataDirectory is null ? default : PostgresCpu.Take(dataDirectory);
        var storedBefore = run.Postgres is { } database ? await StoredBytes.TakeAsync(database) : null;
        var start = Measurement.Take();
        await RoundsAsync(options.Events);
        var end = Measurement.Take();
        var serverAfter = dataDirectory is null ? default : PostgresCpu.Take(dataDirectory);
        var storedAfter = run.Postgres is { } written ? await StoredBytes.TakeAsync(written) : null;

        int deliveries = options.Events * options.Subscriptions;
        var figures = start.Complete(end, deliveries, new PhaseResult { Phase = "store", Store = options.Store });
        double wall = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalMicroseconds / deliveries;
        string server = options.Store != StoreKind.Postgres ? ""
            : dataDirectory is null ? "PostgreSQL CPU not measured (set WEBHOOKSENDER_PGDATA)"
            : serverAfter.Describe(serverBefore, deliveries);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"store cost  {options.Store,-9} {deliveries} deliveries ({options.Events} × {options.Subscriptions}, {options.Writers} at once): wall {wall,6:F1} µs/delivery  " +
            $"sender CPU {figures.CpuMicrosecondsPerDelivery,6:F1} µs/delivery  {figures.AllocatedBytesPerDelivery,7:F0} B/delivery  {server}"));
        if (storedAfter is not null)
        {
            Console.WriteLine($"            {storedAfter.Describe(storedBefore!, deliveries)}");
        }

        if (options.Reuse && run.Postgres is { } reused)
        {
            await RetainNothingAsync(provider, reused);
            var emptied = await StoredBytes.TakeAsync(reused);
            await RoundsAsync(options.Events);
            var again = await StoredBytes.TakeAsync(reused);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"            the tables: {Mib(storedAfter!)} after the run, {Mib(emptied)} once retention removed it and VACUUM ran, {Mib(again)} after the same run again"));
        }

        return 0;
    }

    private static string Mib(StoredBytes stored) => string.Create(CultureInfo.InvariantCulture, $"{stored.Total / 1048576.0:F1} MiB");

    /// <summary>
    /// Runs the store's retention cleanup until no delivery is left, then VACUUM, as autovacuum would after a cleanup
    /// pass: the room of the removed rows is then free for new ones.
    /// </summary>
    private static async Task RetainNothingAsync(IServiceProvider provider, string connection)
    {
        var cleanup = provider.GetServices<IHostedService>().Single(s => s.GetType().Name == "RetentionCleanup");
        await cleanup.StartAsync(CancellationToken.None);
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var left = new NpgsqlCommand("SELECT count(*) FROM webhook_deliveries", db);
        while (await left.ExecuteScalarAsync() is not 0L)
        {
            await Task.Delay(500);
        }

        await cleanup.StopAsync(CancellationToken.None);
        await using var vacuum = new NpgsqlCommand("VACUUM", db);
        await vacuum.ExecuteNonQueryAsync();
    }

    /// <summary>One message stored leased with a delivery per subscription; then every lease ends, succeeded, with its attempt.</summary>
    private static async Task RoundAsync(IWebhookStore store, IDeliveryQueue queue, int subscriptions, JsonElement data, string body)
    {
        var now = DateTimeOffset.UtcNow;
        var message = new WebhookMessage { Id = $"msg_{Guid.CreateVersion7():N}", EventType = Payload.EventType, Timestamp = now, CreatedAt = now, Data = data };
        var deliveries = new WebhookDelivery[subscriptions];
        for (int i = 0; i < subscriptions; i++)
        {
            deliveries[i] = new WebhookDelivery
            {
                Id = $"dlv_{Guid.CreateVersion7():N}", MessageId = message.Id, SubscriptionId = $"sub_{i}", EventType = Payload.EventType,
                Status = DeliveryStatus.Queued, DueAt = now, CreatedAt = now,
            };
        }

        var stored = await store.AddMessageAndLeaseAsync(message, deliveries, TimeSpan.FromMinutes(5), CancellationToken.None);
        var ends = stored.Leases.Select(lease => new LeaseEnd(
            lease,
            lease.Delivery with { Status = DeliveryStatus.Succeeded, AttemptCount = 1, LastAttemptAt = now, LastStatusCode = 200, CompletedAt = now },
            new DeliveryAttempt
            {
                Id = Guid.CreateVersion7(), DeliveryId = lease.Delivery.Id, MessageId = message.Id, SubscriptionId = lease.Delivery.SubscriptionId,
                EventType = Payload.EventType, AttemptNumber = 1, Trigger = AttemptTrigger.Scheduled, StartedAt = now, Duration = TimeSpan.FromMilliseconds(2),
                Succeeded = true,
                Request = new AttemptRequest("POST", "http://127.0.0.1:5000/hooks", SignedHeaders(message.Id, now), body),
                Response = new AttemptResponse(200, new Dictionary<string, string> { ["Content-Length"] = "0" }, ""),
            })).ToList();
        var held = await queue.EndLeasesAsync(ends, CancellationToken.None);
        if (held.Contains(false))
        {
            throw new InvalidOperationException("A lease was lost in a run with nobody else leasing: the store is wrong.");
        }
    }

    private static Dictionary<string, string> SignedHeaders(string id, DateTimeOffset now) => new()
    {
        ["Content-Type"] = "application/json",
        ["webhook-id"] = id,
        ["webhook-timestamp"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        ["webhook-signature"] = "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    };
}
