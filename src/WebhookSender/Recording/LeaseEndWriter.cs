using System.Collections.Concurrent;

namespace WebhookSender;

/// <summary>
/// Gathers the lease ends of concurrent attempts into few store calls (group commit): one write runs at a time, and the
/// ends that arrive while it runs go together in the next. Under light load every end is written at once, alone, by the
/// attempt itself; under heavy load one round trip saves the outcomes of many attempts. A store that asks for it
/// (<see cref="IDeliveryQueue.LeaseEndDelay"/>) has each write wait a moment first, to gather more ends per write.
/// </summary>
internal sealed class LeaseEndWriter(IDeliveryQueue queue)
{
    // Bounds one store call (statement size, parameters); the rest waits for the next. A group is never split.
    private const int MaxPerWrite = 128;

    private readonly ConcurrentQueue<Pending> _waiting = new();
    private int _writing;

    /// <summary>
    /// Writes <paramref name="ends"/> together, in one write with the ends of other attempts; completes with whether each
    /// lease still held, or with the store's error (then the leases lapse and the deliveries are tried again). The members
    /// of one batch go as one group: written apart, a member put back first could be leased and sent alone.
    /// </summary>
    public Task<IReadOnlyList<bool>> EndAsync(IReadOnlyList<LeaseEnd> ends)
    {
        var pending = new Pending(ends);
        _waiting.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            // No write runs: this caller writes, so its outcome needs no hand-over to another thread.
            return WriteOwnAsync(pending);
        }

        return pending.Result.Task;
    }

    /// <summary>
    /// Writes as the caller until its own ends are written (with whatever queued before and beside them), then leaves
    /// what queued meanwhile to a writer of its own on the thread pool: the caller holds a dispatcher slot.
    /// </summary>
    private async Task<IReadOnlyList<bool>> WriteOwnAsync(Pending own)
    {
        try
        {
            while (!own.Result.Task.IsCompleted && await GatherAsync().ConfigureAwait(false) is { Count: > 0 } groups)
            {
                await WriteAsync(groups).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
            if (!_waiting.IsEmpty && Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
            {
                _ = WriteAllAsync();
            }
        }

        return await own.Result.Task.ConfigureAwait(false);
    }

    private async Task WriteAllAsync()
    {
        await Task.Yield(); // off the caller's stack, like Task.Run, without its closure and wrapper tasks

        // The writer that stops looks at the queue again afterwards, so an end queued meanwhile is never left behind.
        do
        {
            while (await GatherAsync().ConfigureAwait(false) is { Count: > 0 } groups)
            {
                await WriteAsync(groups).ConfigureAwait(false);
            }

            Volatile.Write(ref _writing, 0);
        }
        while (!_waiting.IsEmpty && Interlocked.CompareExchange(ref _writing, 1, 0) == 0);
    }

    private async Task WriteAsync(List<Pending> groups)
    {
        try
        {
            // Never cancelled: the requests went out, and their outcomes must not be lost to a stopping host.
            if (groups.Count == 1)
            {
                groups[0].Result.TrySetResult(await queue.EndLeasesAsync(groups[0].Ends, CancellationToken.None).ConfigureAwait(false));
                return;
            }

            var held = await queue.EndLeasesAsync([.. groups.SelectMany(p => p.Ends)], CancellationToken.None).ConfigureAwait(false);
            int next = 0;
            foreach (var group in groups)
            {
                var own = new bool[group.Ends.Count];
                for (int i = 0; i < own.Length; i++)
                {
                    own[i] = held[next + i];
                }

                group.Result.TrySetResult(own);
                next += own.Length;
            }
        }
        catch (Exception ex)
        {
            foreach (var group in groups)
            {
                group.Result.TrySetException(ex);
            }
        }
    }

    /// <summary>Waits the store's <see cref="IDeliveryQueue.LeaseEndDelay"/> unless a full write waits already, then takes the next write.</summary>
    private async ValueTask<List<Pending>> GatherAsync()
    {
        // Real time, not the host's TimeProvider: a wait of milliseconds that gathers writes, not a schedule to fake in tests.
        if (queue.LeaseEndDelay is { Ticks: > 0 } delay && !_waiting.IsEmpty && _waiting.Count < MaxPerWrite)
        {
            await Task.Delay(delay).ConfigureAwait(false);
        }

        return TakeNext();
    }

    private List<Pending> TakeNext()
    {
        var groups = new List<Pending>();
        int ends = 0;
        while (ends < MaxPerWrite && _waiting.TryDequeue(out var group))
        {
            groups.Add(group);
            ends += group.Ends.Count;
        }

        return groups;
    }

    private sealed class Pending(IReadOnlyList<LeaseEnd> ends)
    {
        public IReadOnlyList<LeaseEnd> Ends { get; } = ends;

        public TaskCompletionSource<IReadOnlyList<bool>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
