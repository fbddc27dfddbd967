using System.Diagnostics;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;
using Xunit.Abstractions;

namespace WebhookSender.EntityFrameworkCore.Tests.Resilience;

/// <summary>The PostgreSQL listener reconnects by itself when its connection drops, and notifications work again.</summary>
public sealed class ListenerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Notifications_resume_after_the_listening_connection_is_killed()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var dispatcher = await EfTestHost.StartAsync(database, store: o => o.PollInterval = LongPoll, output: output);
        await using var publisher = await EfTestHost.StartAsync(database, store: o => o.PollInterval = LongPoll, start: false);
        await publisher.SubscribeAsync(receiver.UrlFor("/hooks"));
        await PublishAndReceiveAsync(publisher, receiver);
        int listener = await ListenerPidAsync(database, exceptPid: 0);

        await database.AdminAsync($"SELECT pg_terminate_backend({listener})");
        int replacement = await ListenerPidAsync(database, exceptPid: listener);
        var elapsed = await PublishAndReceiveAsync(publisher, receiver);

        output.WriteLine($"Listener {listener} killed; {replacement} listens now; the next event arrived after {elapsed.TotalMilliseconds:0} ms.");
        Assert.NotEqual(listener, replacement);
        Assert.True(elapsed < LongPoll / 3, $"Only the poll ({LongPoll}) delivered it, after {elapsed}: notifications did not resume.");
    }

    private static async Task<TimeSpan> PublishAndReceiveAsync(EfTestHost publisher, WebhookTestReceiver receiver)
    {
        var clock = Stopwatch.StartNew();
        var result = await publisher.Publisher.PublishAsync(new WebhookEvent("order.created", new { at = DateTime.UtcNow }));
        await receiver.WaitForAsync(all => all.Any(r => r.WebhookId == result.MessageId), LongPoll * 2);
        return clock.Elapsed;
    }

    /// <summary>Waits for the backend that runs LISTEN on the test database (other than <paramref name="exceptPid"/>).</summary>
    private static Task<int> ListenerPidAsync(TestDatabase database, int exceptPid) => Eventually.WaitForAsync(
        async () => Convert.ToInt32(await database.AdminScalarAsync(
            $"SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE datname = '{database.DatabaseName}' AND query LIKE 'LISTEN%' AND pid <> {exceptPid}")),
        pid => pid != 0,
        "a connection listening for new work",
        TimeSpan.FromSeconds(20));
}
