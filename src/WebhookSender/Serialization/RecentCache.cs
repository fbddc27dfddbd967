using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace WebhookSender;

/// <summary>
/// A bounded concurrent cache that keeps what was used lately, in two generations: entries are added to the young one;
/// when it is full it becomes the old one and the previous old one is dropped; an entry found in the old generation moves
/// back to the young. So the entries in use survive each turnover, and at most twice a generation is kept. A generation
/// is full at <c>generationSize</c> entries or at <c>generationBytes</c> (as <c>sizeOf</c> tells), whichever comes first:
/// a count alone let a cache of large messages hold gigabytes.
/// </summary>
/// <remarks>
/// It replaced a cache that started over when full: that dropped the messages of every attempt in flight at once, and on
/// PostgreSQL the 64 attempts then read their messages together, growing the connection pool to 50-odd connections for
/// the rest of the run (PostgreSQL's CPU per delivery rose with it). The cache keeps its own count:
/// <see cref="ConcurrentDictionary{TKey, TValue}.Count"/> takes every lock of the dictionary.
/// </remarks>
internal sealed class RecentCache<TKey, TValue>(int generationSize, long generationBytes, Func<TValue, int> sizeOf, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
    where TValue : class
{
    private readonly Lock _turnover = new();
    private ConcurrentDictionary<TKey, TValue> _young = new(comparer);
    private ConcurrentDictionary<TKey, TValue> _old = new(comparer);
    private int _youngCount;
    private long _youngBytes;

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (Volatile.Read(ref _young).TryGetValue(key, out value))
        {
            return true;
        }

        if (Volatile.Read(ref _old).TryGetValue(key, out var old))
        {
            value = AddYoung(key, old);
            return true;
        }

        return false;
    }

    /// <summary>Adds <paramref name="value"/> unless the cache has one for the key already; returns the one kept.</summary>
    public TValue GetOrAdd(TKey key, TValue value) =>
        TryGetValue(key, out var kept) ? kept : AddYoung(key, value);

    private TValue AddYoung(TKey key, TValue value)
    {
        if (IsFull)
        {
            TurnOver();
        }

        var stored = Volatile.Read(ref _young).GetOrAdd(key, value);
        if (ReferenceEquals(stored, value))
        {
            Interlocked.Increment(ref _youngCount);
            Interlocked.Add(ref _youngBytes, sizeOf(value));
        }

        return stored;
    }

    private bool IsFull => Volatile.Read(ref _youngCount) >= generationSize || Interlocked.Read(ref _youngBytes) >= generationBytes;

    private void TurnOver()
    {
        lock (_turnover)
        {
            // Another thread may have turned it over while this one waited.
            if (!IsFull)
            {
                return;
            }

            Volatile.Write(ref _old, _young);
            Volatile.Write(ref _young, new ConcurrentDictionary<TKey, TValue>(_old.Comparer));
            Volatile.Write(ref _youngCount, 0);
            Interlocked.Exchange(ref _youngBytes, 0);
        }
    }
}
