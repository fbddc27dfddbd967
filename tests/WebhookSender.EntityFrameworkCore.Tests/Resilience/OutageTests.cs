using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;
using Xunit.Abstractions;

namespace WebhookSender.EntityFrameworkCore.Tests.Resilience;

/// <summary>
/// The database goes away for a while: publishing fails with a clear error, the dispatcher logs and backs off, and
/// when the database returns it recovers by itself without losing a webhook.
/// </summary>
public sealed class OutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Publishing_fails_clearly_while_the_database_is_down_and_the_dispatcher_recovers_by_itself()
    {
        const int Before = 30;
        const int After = 30;
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();

        // Slow answers keep deliveries in flight when the database goes away.
        receiver.Respond("/hooks", ReceiverResponse.Hang(TimeSpan.FromMilliseconds(300)));
        var storeErrors = new ConcurrentBag<string>();
        await using var host = await EfTestHost.StartAsync(
            database,
            configure: o =>
            {
                o.MaxConcurrency = 4;
                o.AttemptTimeout = TimeSpan.FromSeconds(1);
                o.LeaseDuration = TimeSpan.FromSeconds(2);
            },
            build: webhooks => webhooks.Services.AddLogging(logging => logging.AddProvider(new EventCollector("DispatcherStoreError", storeErrors))),
            output: output);
        await host.SubscribeAsync(receiver.UrlFor("/hooks"));
        var published = new List<string>();
        for (int i = 0; i < Before; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { i }))).MessageId);
        }

        await receiver.WaitForAsync(all => all.Count >= 3, TimeSpan.FromSeconds(10));
        await TakeDownAsync(database);
        try
        {
            var error = await Assert.ThrowsAsync<WebhookStoreException>(() => host.Publisher.PublishAsync(new WebhookEvent("order.created", new { down = true })));
            output.WriteLine("Publish while down: " + error.Message);
            Assert.Contains("database", error.Message, StringComparison.Ordinal);
            Assert.Contains("Nothing was changed", error.Message, StringComparison.Ordinal);

            // The dispatcher meets the outage, logs it and backs off.
            await Eventually.WaitForAsync(() => Task.FromResult(storeErrors.Count), count => count > 0, "the dispatcher to log the outage", TimeSpan.FromSeconds(20));

            // Keep the database away a little longer, so the dispatcher backs off more than once.
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await database.AdminAsync($"ALTER DATABASE \"{database.DatabaseName}\" ALLOW_CONNECTIONS true");
        }

        // Back: publishing works again and everything is delivered, without a restart.
        for (int i = 0; i < After; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { i, after = true }))).MessageId);
        }

        await receiver.WaitForAsync(all => published.All(id => all.Any(r => r.WebhookId == id)), TimeSpan.FromSeconds(60));
        await Eventually.WaitForAsync(
            () => host.AllDeliveriesAsync(),
            all => all.Count == Before + After && all.All(d => d.Status == DeliveryStatus.Succeeded),
            "every delivery to succeed after the outage",
            TimeSpan.FromSeconds(30));
        int duplicates = receiver.Received.Count - receiver.DistinctWebhookIds.Count;
        output.WriteLine($"Dispatcher store errors logged: {storeErrors.Count}; duplicates after the outage: {duplicates} (attempts whose outcome could not be saved are sent again).");
    }

    /// <summary>Refuses new connections to the database and ends the open ones, as a failover or restart would.</summary>
    private static async Task TakeDownAsync(TestDatabase database)
    {
        await database.AdminAsync($"ALTER DATABASE \"{database.DatabaseName}\" ALLOW_CONNECTIONS false");
        await database.AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database.DatabaseName}' AND pid <> pg_backend_pid()");
    }
}
