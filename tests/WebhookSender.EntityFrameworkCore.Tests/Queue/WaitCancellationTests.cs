using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WebhookSender.EntityFrameworkCore.Tests.Contract;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.StoreContract;

namespace WebhookSender.EntityFrameworkCore.Tests.Queue;

/// <summary>
/// PostgreSQL: the dispatcher stops waiting whenever work is handed over locally, often while the wait's look at the queue
/// runs. That look is left to finish, not cancelled: a cancelled statement costs a cancel request (a new connection to
/// the server) and an error in the server's log, every time.
/// </summary>
public sealed class WaitCancellationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Giving_up_a_wait_returns_at_once_and_lets_its_look_at_the_queue_finish_uncancelled()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var store = ContractStores.Build(database, new FakeTimeProvider(ContractData.Start), ownsDatabase: false);

        // Holds the look at the queue for as long as the test wants: it waits for this lock.
        await using var locker = new NpgsqlConnection(database.ConnectionString);
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("LOCK TABLE webhook_queue IN ACCESS EXCLUSIVE MODE", locker, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        using var giveUp = new CancellationTokenSource();
        var wait = store.Queue.WaitForWorkAsync(giveUp.Token);
        await Eventually.WaitForAsync(() => LookingAsync(database, "Lock"), waiting => waiting > 0, "the wait's look at the queue waiting for the lock", Deadline);

        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Deadline));
        Assert.Equal(1, await LookingAsync(database, "Lock")); // still running: no cancel request was sent

        await transaction.CommitAsync();
        await Eventually.WaitForAsync(() => LookingAsync(database, waitType: null), running => running == 0, "the look at the queue to finish", Deadline);
        await store.Store.AddMessageAsync(ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1")], CancellationToken.None);
        await store.Queue.WaitForWorkAsync(CancellationToken.None).WaitAsync(Deadline);
        Assert.Single(await store.Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    /// <summary>The store's MIN(available_at) statements running on the test database (waiting for <paramref name="waitType"/>, if given).</summary>
    private static async Task<int> LookingAsync(TestDatabase database, string? waitType) => Convert.ToInt32(await database.AdminScalarAsync(
        $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database.DatabaseName}' AND state = 'active' " +
        $"AND query ILIKE '%min(%available_at%' AND query NOT ILIKE '%pg_stat_activity%'" +
        (waitType is null ? "" : $" AND wait_event_type = '{waitType}'")));
}
