using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using WebhookSender.EntityFrameworkCore.Tests.Contract;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Storage;
using WebhookSender.StoreContract;

namespace WebhookSender.EntityFrameworkCore.Tests.Queue;

/// <summary>
/// SQLite: publishes that queue while the writer is busy are stored in one transaction, each with its own outcome; a lease
/// end that gets the writer takes them into its own commit.
/// </summary>
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

    [Fact]
    public async Task A_lease_end_commits_together_with_the_publishes_queued_behind_the_writer()
    {
        var gate = new WriterGate();
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var store = ContractStores.Build(database, TimeProvider.System, ownsDatabase: false, o => o.AddInterceptors(gate));
        var lease = await LeaseOneAsync(store, gate, "msg_x");

        var first = await HoldWriterAsync(store, gate, "msg_a");
        var ended = Task.Run(() => store.Queue.EndLeasesAsync([new LeaseEnd(lease, ContractData.Succeeded(lease.Delivery))], None));
        await Task.Delay(300); // the lease end waits for the writer before the publishes do
        var queued = new[] { "msg_b", "msg_c" }.Select(id => Task.Run(() => PublishAsync(store, id, "dlv_" + id))).ToList();
        await WaitUntilQueuedAsync(store, 2);
        int commitsBefore = gate.Commits;
        gate.Open.SetResult();
        await Task.WhenAll(queued.Append(first).Append(ended)).WaitAsync(TimeSpan.FromSeconds(30));

        // The held publish commits, then the lease end and the two queued publishes in one transaction.
        Assert.Equal(2, gate.Commits - commitsBefore);
        Assert.Equal([true], await ended);
        Assert.Equal(DeliveryStatus.Succeeded, (await store.Store.GetDeliveryAsync(lease.Delivery.Id, None))!.Status);
        Assert.NotNull(await store.Store.GetMessageAsync("msg_b", None));
        Assert.NotNull(await store.Store.GetMessageAsync("msg_c", None));
    }

    [Fact]
    public async Task A_failing_publish_in_a_lease_ends_commit_fails_alone_and_the_lease_still_ends()
    {
        var gate = new WriterGate();
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var store = ContractStores.Build(database, TimeProvider.System, ownsDatabase: false, o => o.AddInterceptors(gate));
        var lease = await LeaseOneAsync(store, gate, "msg_x");

        var first = await HoldWriterAsync(store, gate, "msg_a");
        var ended = Task.Run(() => store.Queue.EndLeasesAsync([new LeaseEnd(lease, ContractData.Succeeded(lease.Delivery))], None));
        await Task.Delay(300);
        var good = Task.Run(() => PublishAsync(store, "msg_b", "dlv_b"));
        var bad = Task.Run(() => PublishAsync(store, "msg_c", "dlv_msg_x"));
        await WaitUntilQueuedAsync(store, 2);
        gate.Open.SetResult();

        await Task.WhenAll(first, good, ended).WaitAsync(TimeSpan.FromSeconds(30));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Contains("dlv_msg_x", refused.Message, StringComparison.Ordinal);
        Assert.Equal([true], await ended);
        Assert.Equal(DeliveryStatus.Succeeded, (await store.Store.GetDeliveryAsync(lease.Delivery.Id, None))!.Status);
        Assert.NotNull(await store.Store.GetMessageAsync("msg_b", None));
        Assert.Null(await store.Store.GetMessageAsync("msg_c", None));
    }

    /// <summary>With the gate open: publishes one message and leases its delivery; then closes the gate again.</summary>
    private static async Task<DeliveryLease> LeaseOneAsync(StoreUnderTest store, WriterGate gate, string messageId)
    {
        gate.Open.SetResult();
        await PublishAsync(store, messageId, "dlv_" + messageId);
        var lease = Assert.Single(await store.Queue.LeaseAsync(10, TimeSpan.FromMinutes(5), None));
        gate.Reset();
        return lease;
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
