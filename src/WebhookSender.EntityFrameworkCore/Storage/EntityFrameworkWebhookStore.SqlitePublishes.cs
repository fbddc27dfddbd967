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
        var group = new List<QueuedPublish>();
        while (group.Count < MaxPublishesPerCommit && _sqlitePublishes.TryDequeue(out var queued))
        {
            if (queued.TryTake())
            {
                group.Add(queued);
            }
        }

        // Not the callers' tokens: a write for many callers must not stop because one of them gave up.
        var rows = Queries(context).Rows;
        try
        {
            await rows.PublishAsync(context, [.. group.Select(p => p.Rows)], channel: null, CancellationToken.None).ConfigureAwait(false);
            group.ForEach(p => p.Stored.TrySetResult());
            return;
        }
        catch (Exception) when (group.Count > 1)
        {
            // Nothing of the group was stored; each goes alone below.
        }
        catch (Exception ex)
        {
            group[0].Stored.TrySetException(ex);
            return;
        }

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
