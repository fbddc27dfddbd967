using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.LoadTest;

/// <summary>
/// Pull mode: <c>events</c> messages are published for one pull subscription (by <c>writers</c> publishers at once),
/// then one reader drains them with <see cref="IWebhookUpdates.ReadAsync"/>, <c>page</c> at a time, each read
/// acknowledging the page before it and logging one attempt per message, as a receiver's loop would. The drain is
/// measured: messages/s, the sender's CPU and allocations per message, and PostgreSQL's CPU with
/// <c>WEBHOOKSENDER_PGDATA</c> set. No HTTP: the figures are the library's and the store's work.
/// </summary>
internal static class PullPhase
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        var services = new ServiceCollection().AddLogging();
        var webhooks = services.AddWebhooks(o => o.PingOnCreate = false).AddEventType(Payload.EventType, "A load test event");
        await using var cleanup = await StoreSetup.ConfigureAsync(webhooks, options);
        await using var provider = services.BuildServiceProvider();
        var subscriptions = provider.GetRequiredService<IWebhookSubscriptions>();
        var publisher = provider.GetRequiredService<IWebhookPublisher>();
        var updates = provider.GetRequiredService<IWebhookUpdates>();
        string padding = Payload.PaddingFor(options.PayloadBytes);

        async Task<string> FillAsync(int messages)
        {
            var pull = (await subscriptions.CreateAsync(new WebhookSubscriptionRequest())).Subscription;
            await Task.WhenAll(Enumerable.Range(0, options.Writers).Select(async writer =>
            {
                for (int i = writer; i < messages; i += options.Writers)
                {
                    await publisher.PublishAsync(new WebhookEvent(Payload.EventType, new LoadData(i, 0, padding)));
                }
            }));
            return pull.Id;
        }

        async Task<int> DrainAsync(string id)
        {
            int taken = 0;
            string? cursor = null;
            WebhookUpdatePage page;
            do
            {
                page = await updates.ReadAsync(id, cursor, options.PageSize);
                taken += page.Items.Count;
                cursor = page.Cursor;
            }
            while (page.Items.Count > 0);
            return taken;
        }

        await Measurement.WarmUpAsync(async () =>
        {
            string id = await FillAsync(Math.Min(2_000, options.Events));
            await DrainAsync(id);
            await subscriptions.DeleteAsync(id); // the next round's messages are for its own subscription only
        });

        var fillClock = Stopwatch.StartNew();
        string subscriptionId = await FillAsync(options.Events);
        double fillRate = options.Events / fillClock.Elapsed.TotalSeconds;

        string? dataDirectory = PostgresCpu.DataDirectory(options);
        var serverBefore = dataDirectory is null ? default : PostgresCpu.Take(dataDirectory);
        var start = Measurement.Take();
        int drained = await DrainAsync(subscriptionId);
        var end = Measurement.Take();
        var serverAfter = dataDirectory is null ? default : PostgresCpu.Take(dataDirectory);
        if (drained != options.Events)
        {
            throw new InvalidOperationException($"The reader took {drained} messages of {options.Events}: the feed lost or repeated some.");
        }

        var figures = start.Complete(end, drained, new PhaseResult { Phase = "pull", Store = options.Store });
        double seconds = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds;
        string server = options.Store != StoreKind.Postgres ? ""
            : dataDirectory is null ? "PostgreSQL CPU not measured (set WEBHOOKSENDER_PGDATA)"
            : serverAfter.Describe(serverBefore, drained);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pull drain  {options.Store,-9} {drained} messages of {options.PayloadBytes} B, {options.PageSize} a read: {drained / seconds,8:F0} messages/s  " +
            $"sender CPU {figures.CpuMicrosecondsPerDelivery,6:F1} µs/message  {figures.AllocatedBytesPerDelivery,7:F0} B/message  {server}  " +
            $"(filled by {options.Writers} publishers at {fillRate:F0} messages/s)"));
        return 0;
    }
}
