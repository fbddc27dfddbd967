namespace WebhookSender.InMemory;

/// <summary>
/// The attempt log: a window of the newest attempts, at most so many and so many bytes, kept as values in one ring
/// array in start-time order (then id). Attempts arrive nearly in that order (those in flight together finish in
/// another), so an attempt is placed by shifting the few newer ones past it; the oldest leaves from the other end. No
/// node, record or dictionary of headers per attempt lives on: the default window of 10,000 attempts would otherwise
/// be promoted to the oldest generation and die there. Not thread-safe: the store calls it under its lock.
/// </summary>
internal sealed class AttemptLog(int maxAttempts, long maxBytes)
{
    private readonly HashSet<Guid> _ids = [];

    // The request bodies kept, by message: its attempts share one copy of each distinct body.
    private readonly Dictionary<string, List<StoredText>> _requestBodies = new(StringComparer.Ordinal);

    private readonly List<string?> _scratch = [];

    // Oldest at _head; grown by doubling up to the window's size, so a full window wastes no room.
    private PackedAttempt[] _slots = new PackedAttempt[Math.Min(16, Capacity(maxAttempts))];
    private int _head;
    private int _count;
    private long _bytes;

    public bool Contains(Guid id) => _ids.Contains(id);

    /// <summary>Adds a checked attempt (its id is new), dropping the oldest beyond the window's size in attempts or bytes.</summary>
    public void Add(DeliveryAttempt attempt)
    {
        var entry = new PackedAttempt(attempt, ShareRequestBody(attempt), _scratch);
        _ids.Add(entry.Key.Id);
        _bytes += entry.OwnBytes;
        Insert(entry);
        while (_count > maxAttempts || (_bytes > maxBytes && _count > 1))
        {
            RemoveOldest();
        }
    }

    /// <summary>The attempt with this id; a look-up of the API, so it scans the window (microseconds for 10,000) rather than keeping an index.</summary>
    public DeliveryAttempt? Find(Guid id)
    {
        if (!_ids.Contains(id))
        {
            return null;
        }

        for (int i = _count - 1; i >= 0; i--)
        {
            if (At(i).Key.Id == id)
            {
                return At(i).ToAttempt();
            }
        }

        return null;
    }

    /// <summary>
    /// One page, newest first: the attempts before <paramref name="after"/> (a cursor's key) and within the query's time
    /// range that pass its filters, and the key of the page's last one if another page follows.
    /// </summary>
    public (List<DeliveryAttempt> Items, LogKey<Guid>? Next) ReadPage(AttemptQuery query, LogKey<Guid>? after, int limit)
    {
        // Start below the cursor and below Until, by binary search; stop at Since.
        int start = _count;
        if (after is { } cursor)
        {
            start = LowerBound(cursor);
        }

        if (query.Until is { } until)
        {
            start = Math.Min(start, LowerBound(new LogKey<Guid>(until.UtcTicks, Guid.Empty)));
        }

        long sinceTicks = query.Since?.UtcTicks ?? long.MinValue;
        DeliveryKey? deliveryId = query.DeliveryId is { } id ? (DeliveryKey?)DeliveryKey.From(id) : null;
        var items = new List<DeliveryAttempt>(Math.Min(limit, 64));
        LogKey<Guid> last = default;
        for (int i = start - 1; i >= 0; i--)
        {
            ref readonly var entry = ref At(i);
            if (entry.Key.Ticks < sinceTicks)
            {
                break;
            }

            if (!entry.Matches(query, deliveryId))
            {
                continue;
            }

            if (items.Count == limit)
            {
                return (items, last);
            }

            items.Add(entry.ToAttempt());
            last = entry.Key;
        }

        return (items, null);
    }

    /// <summary>Room for a full window and the one attempt added before the oldest leaves.</summary>
    private static int Capacity(int maxAttempts) => (int)Math.Min(maxAttempts + 1L, Array.MaxLength);

    private ref PackedAttempt At(int index)
    {
        int slot = _head + index;
        return ref _slots[slot < _slots.Length ? slot : slot - _slots.Length];
    }

    private static int Compare(LogKey<Guid> x, LogKey<Guid> y) => x.Ticks != y.Ticks ? x.Ticks.CompareTo(y.Ticks) : x.Id.CompareTo(y.Id);

    /// <summary>The index of the first attempt at or after <paramref name="key"/> (the count if none is).</summary>
    private int LowerBound(LogKey<Guid> key)
    {
        int low = 0;
        int high = _count;
        while (low < high)
        {
            int middle = low + ((high - low) / 2);
            if (Compare(At(middle).Key, key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void Insert(PackedAttempt entry)
    {
        if (_count == _slots.Length)
        {
            Grow();
            if (_count == _slots.Length)
            {
                // Only at the largest array .NET allows: make room as the window would.
                RemoveOldest();
            }
        }

        // From the newest down, each newer attempt moves up one.
        int index = _count;
        while (index > 0 && Compare(At(index - 1).Key, entry.Key) > 0)
        {
            At(index) = At(index - 1);
            index--;
        }

        At(index) = entry;
        _count++;
    }

    private void Grow()
    {
        var slots = new PackedAttempt[(int)Math.Min(_slots.Length * 2L, Capacity(maxAttempts))];
        for (int i = 0; i < _count; i++)
        {
            slots[i] = At(i);
        }

        _slots = slots;
        _head = 0;
    }

    private void RemoveOldest()
    {
        ref var oldest = ref At(0);
        _ids.Remove(oldest.Key.Id);
        _bytes -= oldest.OwnBytes;
        ReleaseRequestBody(oldest.MessageId, oldest.RequestBody);
        oldest = default;
        _head = _head + 1 < _slots.Length ? _head + 1 : 0;
        _count--;
    }

    /// <summary>The stored copy of the attempt's request body: one already kept for its message if the bytes are the same.</summary>
    private StoredText ShareRequestBody(DeliveryAttempt attempt)
    {
        string body = attempt.Request.Body;
        if (body.Length == 0)
        {
            return StoredText.Empty;
        }

        if (!_requestBodies.TryGetValue(attempt.MessageId, out var kept))
        {
            _requestBodies[attempt.MessageId] = kept = new List<StoredText>(1);
        }

        var shared = kept.Find(stored => stored.Holds(body));
        if (shared is null)
        {
            shared = StoredText.From(body);
            kept.Add(shared);
            _bytes += shared.Bytes;
        }

        shared.References++;
        return shared;
    }

    private void ReleaseRequestBody(string messageId, StoredText body)
    {
        if (body.Bytes == 0 || --body.References > 0)
        {
            return;
        }

        _bytes -= body.Bytes;
        var kept = _requestBodies[messageId];
        kept.Remove(body);
        if (kept.Count == 0)
        {
            _requestBodies.Remove(messageId);
        }
    }
}
