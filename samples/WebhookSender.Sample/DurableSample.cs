using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WebhookSender.Sample;

/// <summary>
/// <c>--durable &lt;sqlite-file&gt;</c>: the same app on the Entity Framework Core store in a SQLite file. Stop it
/// mid-way (Ctrl+C, or <c>--stop-after &lt;seconds&gt;</c>), run the same command again, and the pending retries
/// continue where they were; the delivery log shows the attempts of every run.
/// </summary>
internal static class DurableSample
{
    // Long enough to stop the app between attempts; "/flaky" fails the first two attempts it sees of each event.
    private static readonly TimeSpan[] RetrySchedule = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)];

    /// <summary>Finds <c>--durable &lt;file&gt;</c> and the optional <c>--stop-after &lt;seconds&gt;</c> in the arguments.</summary>
    public static bool TryParse(string[] args, out string file, out TimeSpan? stopAfter)
    {
        file = string.Empty;
        stopAfter = null;
        int at = Array.IndexOf(args, "--durable");
        if (at < 0)
        {
            return false;
        }

        if (at + 1 >= args.Length || args[at + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("--durable needs the SQLite file to keep the webhooks in, for example: --durable webhooks.db");
        }

        file = args[at + 1];
        int stop = Array.IndexOf(args, "--stop-after");
        if (stop >= 0 && stop + 1 < args.Length && double.TryParse(args[stop + 1], System.Globalization.CultureInfo.InvariantCulture, out double seconds))
        {
            stopAfter = TimeSpan.FromSeconds(seconds);
        }

        return true;
    }

    public static async Task<int> RunAsync(string file, TimeSpan? stopAfter)
    {
        await using var receiver = await SampleReceiver.StartAsync();

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Services.AddDbContext<SampleDbContext>(o => o.UseSqlite($"Data Source={file}"));
        builder.Services
            .AddWebhooks(options =>
            {
                options.Destinations.AllowLoopback = true;
                options.RetrySchedule = RetrySchedule;
                options.AttemptTimeout = TimeSpan.FromSeconds(5);
                options.LeaseDuration = TimeSpan.FromSeconds(10); // a killed run's deliveries come back quickly
            })
            .AddEventType("order.created", "An order was placed", new { orderId = 1042, total = 99.5 })
            .AddEventType("order.updated", "An order changed", new { orderId = 1042, status = "paid" })
            .AddNotificationHandler<ConsoleNotifier>()
            .AddEntityFrameworkStore<SampleDbContext>(o => o.PollInterval = TimeSpan.FromMilliseconds(500));
        using var app = builder.Build();

        // A real app adds the tables with a migration; the sample creates them on first run.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
            await db.Database.EnsureCreatedAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }

        var subscriptions = app.Services.GetRequiredService<IWebhookSubscriptions>();
        var publisher = app.Services.GetRequiredService<IWebhookPublisher>();
        var deliveries = app.Services.GetRequiredService<IWebhookDeliveries>();
        var existing = (await subscriptions.ListAsync(new SubscriptionQuery { Limit = 10 })).Items;
        var names = new Dictionary<string, string>();
        if (existing.Count == 0)
        {
            Console.WriteLine($"First run: creating subscriptions and publishing three events into {file}.");
            foreach (var (name, path, types) in new[] { ("Fulfilment (healthy)", "/healthy", new[] { "*" }), ("Analytics (fails twice)", "/flaky", new[] { "order.updated" }) })
            {
                var created = await subscriptions.CreateAsync(new WebhookSubscriptionRequest { Name = name, Url = receiver.UrlFor(path), EventTypes = types });
                receiver.Trust(path, created.Secret);
                names[created.Subscription.Id] = name;
            }
        }
        else
        {
            // The receiver listens on a new port each run: point the stored subscriptions at it (the customer "moved").
            foreach (var subscription in existing)
            {
                string path = subscription.Url!.AbsolutePath; // the sample makes push subscriptions only
                await subscriptions.UpdateAsync(subscription.Id, new WebhookSubscriptionRequest
                {
                    Name = subscription.Name,
                    Url = receiver.UrlFor(path),
                    EventTypes = subscription.EventTypes,
                    Format = subscription.Format,
                    Method = subscription.Method,
                    IsActive = subscription.IsActive,
                    RetrySchedule = subscription.RetrySchedule,
                });
                receiver.Trust(path, await subscriptions.GetSecretAsync(subscription.Id));
                names[subscription.Id] = subscription.Name ?? subscription.Id;
            }

            int pending = (await deliveries.ListAsync(new DeliveryQuery { Limit = 1000 })).Items.Count(d => !d.IsCompleted);
            Console.WriteLine($"Restarted on {file}: {pending} deliveries pending from the last run; continuing them.");
        }

        await app.StartAsync();
        if (existing.Count == 0)
        {
            await publisher.PublishAsync(new WebhookEvent("order.created", new { orderId = 1042, total = 99.5 }));
            await publisher.PublishAsync(new WebhookEvent("order.updated", new { orderId = 1042, status = "paid" }));
            await publisher.PublishAsync(new WebhookEvent("order.updated", new { orderId = 1042, status = "shipped" }));
        }

        // Until everything is delivered, Ctrl+C, or --stop-after.
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        if (stopAfter is { } after)
        {
            stop.CancelAfter(after);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!stop.IsCancellationRequested && DateTime.UtcNow < deadline
            && (await deliveries.ListAsync(new DeliveryQuery { Limit = 1000 })).Items.Any(d => !d.IsCompleted))
        {
            try
            {
                await Task.Delay(200, stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await app.StopAsync();
        var log = await deliveries.ListAttemptsAsync(new AttemptQuery { Limit = 1000 });
        DeliveryLogTable.Print([.. log.Items.Reverse()], names);
        var finished = (await deliveries.ListAsync(new DeliveryQuery { Limit = 1000 })).Items;
        int open = finished.Count(d => !d.IsCompleted);
        Console.WriteLine();
        Console.WriteLine($"Deliveries: {finished.Count(d => d.Status == DeliveryStatus.Succeeded)} succeeded, "
            + $"{finished.Count(d => d.Status == DeliveryStatus.Failed)} failed, {open} pending.");
        if (open > 0)
        {
            Console.WriteLine($"Stopped with {open} pending: run the same command again and they continue (stored in {file}).");
            return 2;
        }

        return finished.All(d => d.Status == DeliveryStatus.Succeeded) && receiver.Rejected == 0 ? 0 : 1;
    }
}

/// <summary>The sample app's database: its own tables would sit here too; the webhook tables come from AddWebhookSender().</summary>
internal sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddWebhookSender();
}
