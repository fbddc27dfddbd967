namespace WebhookSender;

/// <summary>
/// Gathers the lease ends of concurrent attempts into few store calls (group commit): one write runs at a time, and the
/// ends that arrive while it runs go together in the next. Under light load every end is written at once, alone; under
/// heavy load one round trip saves the outcomes of many attempts.
/// </summary>
internal sealed class LeaseEndWriter(IDeliveryQueue queue)
{
    // Bounds one store call (statement size, parameters); the rest waits for the next.
    private const int MaxPerWrite = 128;

    private readonly object _gate = new();
    private readonly Queue<Pending> _waiting = new();
    private bool _writing;

    /// <summary>
    /// Writes <paramref name="end"/> with the ends of other attempts; completes with whether its lease still held, or with
    /// the store's error (then the lease lapses and the delivery is tried again).
    /// </summary>
    public Task<bool> EndAsync(LeaseEnd end)
    {
        var pending = new Pending(end);
        bool start;
        lock (_gate)
        {
            _waiting.Enqueue(pending);
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            // Off the caller's stack: the writer keeps going while ends keep arriving.
            _ = Task.Run(WriteAllAsync);
        }

        return pending.Result.Task;
    }

    private async Task WriteAllAsync()
    {
        while (TakeNext() is { } batch)
        {
            try
            {
                // Never cancelled: the requests went out, and their outcomes must not be lost to a stopping host.
                var held = await queue.EndLeasesAsync([.. batch.Select(p => p.End)], CancellationToken.None).ConfigureAwait(false);
                for (int i = 0; i < batch.Count; i++)
                {
                    batch[i].Result.TrySetResult(held[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Result.TrySetException(ex);
                }
            }
        }
    }

    private List<Pending>? TakeNext()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _writing = false;
                return null;
            }

            var batch = new List<Pending>(Math.Min(_waiting.Count, MaxPerWrite));
            while (batch.Count < MaxPerWrite && _waiting.TryDequeue(out var pending))
            {
                batch.Add(pending);
            }

            return batch;
        }
    }

    private sealed class Pending(LeaseEnd end)
    {
        public LeaseEnd End { get; } = end;

        public TaskCompletionSource<bool> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
