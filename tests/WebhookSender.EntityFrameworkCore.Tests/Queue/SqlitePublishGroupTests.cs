using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using WebhookSender.EntityFrameworkCore.Tests.Contract;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.StoreContract;

namespace WebhookSender.EntityFrameworkCore.Tests.Queue;

/// <summary>SQLite: publishes that queue while the writer is busy are stored in one transaction, each with its own outcome.</summary>
public sealed class SqlitePublishGroupTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Publishes_queued_behind_a_busy_writer_commit_together()
    {
        var gate = new WriterGate();
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var store = ContractStores.Build(database, TimeProvider.System, ownsDatabase: false, o => o.AddInterceptors(gate));

        var first = await HoldWriterAsync(store, gate, "msg_a");
        var queued = new[] { "msg_b", "msg_c", "msg_d" }.Select(id => Task.Run(() => PublishAsync(store, id, "dlv_" + id))).ToList();
        await WaitUntilQueuedAsync(store, 3);
        int commitsBefore = gate.Commits;
        gate.Open.SetResult();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        // The held publish commits, then the three queued ones in one transaction.
        Assert.Equal(2, gate.Commits - commitsBefore);
        foreach (string id in new[] { "msg_a", "msg_b", "msg_c", "msg_d" })
        {
            Assert.NotNull(await store.Store.GetMessageAsync(id, None));
        }
    }

    [Fact]
    public async Task A_failing_publish_in_a_group_fails_alone()
    {
        var gate = new WriterGate();
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var store = ContractStores.Build(database, TimeProvider.System, ownsDatabase: false, o => o.AddInterceptors(gate));
        gate.Open.SetResult();
        await PublishAsync(store, "msg_old", "dlv_taken");
        gate.Reset();

        var first = await HoldWriterAsync(store, gate, "msg_a");
        var good1 = Task.Run(() => PublishAsync(store, "msg_b", "dlv_b"));
        var bad = Task.Run(() => PublishAsync(store, "msg_c", "dlv_taken"));
        var good2 = Task.Run(() => PublishAsync(store, "msg_d", "dlv_d"));
        await WaitUntilQueuedAsync(store, 3);
        gate.Open.SetResult();

        await Task.WhenAll(first, good1, good2).WaitAsync(TimeSpan.FromSeconds(30));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Contains("dlv_taken", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(await store.Store.GetMessageAsync("msg_b", None));
        Assert.NotNull(await store.Store.GetMessageAsync("msg_d", None));
        Assert.Null(await store.Store.GetMessageAsync("msg_c", None));
    }

    /// <summary>Starts a publish and returns once it holds SQLite's writer, stopped in its transaction until the gate opens.</summary>
    private static async Task<Task> HoldWriterAsync(StoreUnderTest store, WriterGate gate, string messageId)
    {
        var publish = Task.Run(() => PublishAsync(store, messageId, "dlv_" + messageId));
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return publish;
    }

    private static Task PublishAsync(StoreUnderTest store, string messageId, string deliveryId) =>
        store.Store.AddMessageAsync(ContractData.Message(messageId), [ContractData.Delivery(deliveryId, messageId)], None);

    private static Task WaitUntilQueuedAsync(StoreUnderTest store, int count) => Eventually.WaitForAsync(
        () => Task.FromResult(((EntityFrameworkWebhookStore)store.Store).QueuedSqlitePublishes), n => n >= count, $"{count} publishes to queue for the writer");

    /// <summary>Holds the first transaction (a publish's, under the writer) until <see cref="Open"/> completes, and counts commits.</summary>
    private sealed class WriterGate : DbTransactionInterceptor
    {
        private int _commits;
        private int _held;

        public TaskCompletionSource Reached { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Commits => Volatile.Read(ref _commits);

        public void Reset()
        {
            Reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Open = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _held = 0;
        }

        public override async ValueTask<DbTransaction> TransactionStartedAsync(
            DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _held, 1) == 0)
            {
                Reached.TrySetResult();
                await Open.Task;
            }

            return result;
        }

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _commits);
            return Task.CompletedTask;
        }
    }
}
