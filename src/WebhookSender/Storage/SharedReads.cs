using System.Collections.Concurrent;

namespace WebhookSender.Storage;

/// <summary>
/// Store reads in flight, one per key: callers that miss a cache together share one read instead of each making its own.
/// On a database each read holds a connection: 64 attempts missing together grew the pool to 64 connections, and
/// PostgreSQL then spread its work over 64 backends.
/// </summary>
internal sealed class SharedReads<TKey, T>(IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<T>> _reads = new(comparer);

    /// <summary>
    /// Runs <paramref name="read"/> for <paramref name="key"/>, or joins the read of it in flight. The read itself is not
    /// cancelled (other callers may be waiting for it); <paramref name="cancellationToken"/> ends this caller's wait. The
    /// read keeps its result wherever it belongs (a cache) before it returns, so no later caller misses it.
    /// </summary>
    public async ValueTask<T> ReadAsync(TKey key, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        var ours = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _reads.GetOrAdd(key, ours.Task);
        if (shared == ours.Task)
        {
            // Not awaited here: this caller, too, may stop waiting before the read ends.
            _ = RunAsync(key, read, ours);
        }

        return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lets the next caller start a read of its own (one in flight may have started before a change).</summary>
    public void Forget(TKey key) => _reads.TryRemove(key, out _);

    public void Clear() => _reads.Clear();

    private async Task RunAsync(TKey key, Func<Task<T>> read, TaskCompletionSource<T> result)
    {
        try
        {
            result.SetResult(await read().ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            result.SetException(ex);
        }
        finally
        {
            _reads.TryRemove(new KeyValuePair<TKey, Task<T>>(key, result.Task));
        }
    }
}
