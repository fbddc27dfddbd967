using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore
{
    // Publishes stored in one SQLite transaction at most: a long queue is written in a few commits, not one huge one.
    private const int MaxPublishesPerCommit = 256;

    private readonly ConcurrentQueue<QueuedPublish> _sqlitePublishes = new();

    /// <summary>For tests: publishes queued for SQLite's writer (given-up ones until a writer passes them).</summary>
    internal int QueuedSqlitePublishes => _sqlitePublishes.Count;

    /// <summary>A publish waiting for SQLite's writer.</summary>
    private sealed class QueuedPublish(PublishRows rows)
    {
        private const int Waiting = 0;
        private const int Taken = 1;
        private const int GivenUp = 2;
        private int _state;

        public PublishRows Rows { get; } = rows;

        // Completed by whichever caller writes it; asynchronously, so a waiter never runs on the writing thread.
        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>A writer claims it; false if its caller gave up (or another writer has it).</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Waiting) == Waiting;

        /// <summary>Its caller gives up waiting; false if a writer has it already (the caller must then await it).</summary>
        public bool TryGiveUp() => Interlocked.CompareExchange(ref _state, GivenUp, Waiting) == Waiting;
    }

    /// <summary>
    /// SQLite: stores the publish together with those that queued while the writer was busy, in one transaction. Each commit
    /// of a write-ahead log is a disk flush (with the default <c>synchronous=FULL</c>), and one writer at a time makes the
    /// flushes the limit: grouped, one flush serves many publishes. If a group's transaction fails, its publishes are
    /// stored one by one, so a failing publish (a taken id or idempotency key) fails only its own caller.
    /// </summary>
    private async Task PublishOnSqliteAsync(DbContext context, PublishRows rows, CancellationToken cancellationToken)
    {
        var mine = new QueuedPublish(rows);
        _sqlitePublishes.Enqueue(mine);
        try
        {
            await _sqliteWriter.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (mine.TryGiveUp())
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Another caller took it while this one was cancelled: its outcome decides.
            await mine.Stored.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            // A holder before this one may have stored it; a long queue may take more than one group to reach it.
            while (!mine.Stored.Task.IsCompleted)
            {
                await WriteQueuedPublishesAsync(context).ConfigureAwait(false);
            }
        }
        finally
        {
            _sqliteWriter.Release();
        }

        await mine.Stored.Task.ConfigureAwait(false);
    }

    /// <summary>Under the writer: stores the queued publishes, each caller's outcome on its own entry.</summary>
    private async Task WriteQueuedPublishesAsync(DbContext context)
    {
        var group = TakeQueuedPublishes();
        if (group.Count == 0)
        {
            return;
        }

        // Not the callers' tokens: a write for many callers must not stop because one of them gave up.
        try
        {
            await Queries(context).Rows.PublishAsync(context, [.. group.Select(p => p.Rows)], channel: null, CancellationToken.None).ConfigureAwait(false);
            group.ForEach(p => p.Stored.TrySetResult());
            return;
        }
        catch (Exception ex) when (group.Count == 1)
        {
            group[0].Stored.TrySetException(ex);
            return;
        }
        catch (Exception)
        {
            // Nothing of the group was stored; each goes alone.
        }

        await StoreOneByOneAsync(context, group).ConfigureAwait(false);
    }

    /// <summary>
    /// SQLite: ends leases under the writer, in one transaction with the publishes that queued meanwhile. Each commit is
    /// a disk flush, and the dispatcher's lease ends and the publishes waiting behind them then share one. If that
    /// transaction fails, nothing of it was stored: the publishes are stored one by one, each with its own outcome, and
    /// the lease ends alone.
    /// </summary>
    private async Task<bool[]> EndLeasesOnSqliteAsync(DbContext context, Func<Task<bool[]>> endLeases, CancellationToken cancellationToken)
    {
        await _sqliteWriter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var group = TakeQueuedPublishes();
            if (group.Count == 0)
            {
                return await endLeases().ConfigureAwait(false);
            }

            var rows = Queries(context).Rows;
            bool[] held;
            try
            {
                held = await InTransactionAsync(context, async () =>
                {
                    await rows.PublishAsync(context, [.. group.Select(p => p.Rows)], channel: null, CancellationToken.None).ConfigureAwait(false);
                    return await endLeases().ConfigureAwait(false);
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                await StoreOneByOneAsync(context, group).ConfigureAwait(false);
                return await endLeases().ConfigureAwait(false);
            }

            group.ForEach(p => p.Stored.TrySetResult());
            return held;
        }
        finally
        {
            _sqliteWriter.Release();
        }
    }

    /// <summary>Claims up to a commit's worth of the queued publishes whose callers still wait.</summary>
    private List<QueuedPublish> TakeQueuedPublishes()
    {
        var group = new List<QueuedPublish>();
        while (group.Count < MaxPublishesPerCommit && _sqlitePublishes.TryDequeue(out var queued))
        {
            if (queued.TryTake())
            {
                group.Add(queued);
            }
        }

        return group;
    }

    private async Task StoreOneByOneAsync(DbContext context, List<QueuedPublish> group)
    {
        var rows = Queries(context).Rows;
        foreach (var publish in group)
        {
            try
            {
                await rows.PublishAsync(context, [publish.Rows], channel: null, CancellationToken.None).ConfigureAwait(false);
                publish.Stored.TrySetResult();
            }
            catch (Exception ex)
            {
                publish.Stored.TrySetException(ex);
            }
        }
    }
}
