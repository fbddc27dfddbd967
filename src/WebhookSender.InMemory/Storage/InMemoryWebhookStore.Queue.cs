using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using WebhookSender.Storage;

namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    // The longest WaitForWorkAsync sleeps without a signal or a due entry: a safety net, not needed for correctness.
    private static readonly TimeSpan MaxIdleWait = TimeSpan.FromMinutes(1);

    // Due-time ordered work: a delivery is due at its DueAt while Queued, and at its lease expiry while Dispatched. Each
    // entry carries the delivery's version when pushed; any later change makes it stale, and stale entries are dropped
    // when they reach the top. The sequence keeps entries with the same due time in FIFO order.
    private readonly PriorityQueue<(DeliveryEntry Entry, long Version), (long DueTicks, long Sequence)> _queue = new();
    private long _sequence;

    // Completed (and replaced) when work is stored or rescheduled, only if a waiter took it since the last signal.
    private TaskCompletionSource _workSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _workSignalObserved;

    /// <summary>Ordered lines are kept: only the first delivery of each is in the queue (see <see cref="JoinLine"/>).</summary>
    public bool KeepsOrder => true;

    public Task<IReadOnlyList<DeliveryLease>> LeaseAsync(int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            var expiresAt = now + leaseDuration;
            var leases = new List<DeliveryLease>(Math.Min(maxCount, 16));
            while (leases.Count < maxCount && TryPeekLive(out var entry, out long dueTicks) && dueTicks <= now.UtcTicks)
            {
                // Due while Queued, or Dispatched under a lease that expired: either way it is handed out anew. A delivery
                // that an earlier one of its line got in front of (stored later, created before) waits parked for its turn.
                _queue.Dequeue();
                if (IsFirstInLine(entry))
                {
                    leases.Add(Lease(entry, expiresAt));
                }
            }

            return Task.FromResult<IReadOnlyList<DeliveryLease>>(leases);
        }
    }

    public Task<IReadOnlyList<DeliveryLease>> LeaseBatchAsync(string batchKey, int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            var leases = new List<DeliveryLease>();
            if (_batches.TryGetValue(batchKey, out var members))
            {
                var available = members
                    .Select(id => _deliveries[id])
                    .Where(e => e.LeaseId is null || IsLeaseExpired(e, now))
                    .OrderBy(e => e.LogKey.Ticks).ThenBy(e => e.LogKey.Id, StringComparer.Ordinal)
                    .Take(maxCount)
                    .ToList();
                foreach (var entry in available)
                {
                    leases.Add(Lease(entry, now + leaseDuration));
                }
            }

            return Task.FromResult<IReadOnlyList<DeliveryLease>>(leases);
        }
    }

    public Task<IReadOnlyList<bool>> EndLeasesAsync(IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken)
    {
        StoreArguments.CheckEnds(ends);

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // All or nothing: every attempt is checked before anything is written.
            foreach (var end in ends)
            {
                if (end.Attempt is { } attempt)
                {
                    CheckNewAttempt(attempt);
                }
            }

            var held = new bool[ends.Count];
            bool requeued = false;
            for (int i = 0; i < ends.Count; i++)
            {
                var (lease, delivery, attempt) = ends[i];
                if (attempt is not null)
                {
                    _attempts.Add(attempt);
                }

                if (!TryRelease(lease, delivery, out var entry))
                {
                    continue;
                }

                held[i] = true;
                if (delivery.IsCompleted)
                {
                    OnDeliveryCompleted(entry);
                }
                else
                {
                    Enqueue(entry, delivery.DueAt);
                    requeued = true;
                }
            }

            if (requeued)
            {
                SignalWork();
            }

            return Task.FromResult<IReadOnlyList<bool>>(held);
        }
    }

    /// <summary>Under the lock: stores the new state of a delivery still held under the lease and ends the lease.</summary>
    private bool TryRelease(DeliveryLease lease, WebhookDelivery delivery, [NotNullWhen(true)] out DeliveryEntry? entry)
    {
        if (!TryGetLeased(lease, out entry))
        {
            return false;
        }

        UnindexBatch(entry);
        entry.Delivery = delivery;
        entry.LeaseId = null;
        entry.Version++;
        if (!delivery.IsCompleted)
        {
            IndexBatch(entry);
        }

        return true;
    }

    /// <summary>Under the lock: hands the delivery out under a new lease; the queue entry at expiry brings it back if lost.</summary>
    private DeliveryLease Lease(DeliveryEntry entry, DateTimeOffset expiresAt)
    {
        entry.Version++;
        // Unique within this store, which is all a lease id must be here (no other process shares it).
        entry.LeaseId = (++_leases).ToString(CultureInfo.InvariantCulture);
        var leased = entry.Dispatch();
        entry.LeaseExpiresAt = expiresAt;
        Enqueue(entry, expiresAt);
        return new DeliveryLease(leased, entry.LeaseId, expiresAt);
    }

    // Leases handed out so far (under the lock): the source of lease ids.
    private long _leases;

    private static bool IsLeaseExpired(DeliveryEntry entry, DateTimeOffset now) => entry.LeaseExpiresAt <= now;

    // Batch key to the pending deliveries carrying it, so LeaseBatchAsync never scans the whole store.
    private readonly Dictionary<string, HashSet<string>> _batches = new(StringComparer.Ordinal);

    private void IndexBatch(DeliveryEntry entry)
    {
        if (entry.BatchKey is { } key)
        {
            if (!_batches.TryGetValue(key, out var members))
            {
                _batches[key] = members = new HashSet<string>(StringComparer.Ordinal);
            }

            members.Add(entry.LogKey.Id);
        }
    }

    private void UnindexBatch(DeliveryEntry entry)
    {
        if (entry.BatchKey is { } key && _batches.TryGetValue(key, out var members) && members.Remove(entry.LogKey.Id) && members.Count == 0)
        {
            _batches.Remove(key);
        }
    }

    public async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryPrepareWait(out var signal, out var delay, out long dueTicks))
        {
            return;
        }

        // The linked source lets the timer go as soon as the signal wins, instead of lingering until it fires.
        using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delayTask = Task.Delay(delay, _timeProvider, delayCancellation.Token);

        // The clock may have passed the due time while the timer was being made (a test clock jumps): then the timer,
        // counted from the later time, would fire too late. Look again instead of waiting.
        if (_timeProvider.GetUtcNow().UtcTicks < dueTicks)
        {
            await Task.WhenAny(signal, delayTask).ConfigureAwait(false);
        }

        delayCancellation.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Returns <see langword="false"/> when something is due now; otherwise the signal to wait for and how long to wait at
    /// most: until the earliest queue entry (rounded up to a whole millisecond, which timers count in), one minute at most,
    /// and that entry's due time (<see cref="long.MaxValue"/> without one).
    /// </summary>
    private bool TryPrepareWait(out Task signal, out TimeSpan delay, out long dueTicks)
    {
        lock (_gate)
        {
            long nowTicks = _timeProvider.GetUtcNow().UtcTicks;
            delay = MaxIdleWait;
            dueTicks = long.MaxValue;
            if (TryPeekLive(out _, out long earliest))
            {
                if (earliest <= nowTicks)
                {
                    signal = Task.CompletedTask;
                    return false;
                }

                dueTicks = earliest;
                long ticks = Math.Min(earliest - nowTicks, MaxIdleWait.Ticks);
                delay = TimeSpan.FromTicks((ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond);
            }

            _workSignalObserved = true;
            signal = _workSignal.Task;
            return true;
        }
    }

    /// <summary>Wakes every waiter (continuations run asynchronously, never under the lock).</summary>
    private void SignalWork()
    {
        if (!_workSignalObserved)
        {
            return;
        }

        var signal = _workSignal;
        _workSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _workSignalObserved = false;
        signal.TrySetResult();
    }

    // Ordered lines: the pending deliveries of each order key, oldest first. Only the first of a line is in the queue; the
    // others are parked, in no queue, until the one before them finishes.
    private static readonly Comparer<DeliveryEntry> LineOrder = Comparer<DeliveryEntry>.Create(
        (a, b) => a.CreatedTicks != b.CreatedTicks ? a.CreatedTicks.CompareTo(b.CreatedTicks) : string.CompareOrdinal(a.LogKey.Id, b.LogKey.Id));

    private readonly Dictionary<string, SortedSet<DeliveryEntry>> _lines = new(StringComparer.Ordinal);

    /// <summary>Under the lock: a new pending delivery takes its place in its line; returns whether it may be queued (first, or unordered).</summary>
    private bool JoinLine(DeliveryEntry entry)
    {
        if (entry.OrderKey is not { } key)
        {
            return true;
        }

        if (!_lines.TryGetValue(key, out var line))
        {
            _lines[key] = line = new SortedSet<DeliveryEntry>(LineOrder);
        }

        line.Add(entry);
        return ReferenceEquals(line.Min, entry);
    }

    /// <summary>Under the lock: a finished delivery leaves its line, and the next one in it is queued at its due time.</summary>
    private void LeaveLine(DeliveryEntry entry)
    {
        if (entry.OrderKey is not { } key || !_lines.TryGetValue(key, out var line) || !line.Remove(entry))
        {
            return;
        }

        if (line.Count == 0)
        {
            _lines.Remove(key);
        }
        else if (line.Min is { } next && next.LeaseId is null)
        {
            Enqueue(next, next.DueAt);
            SignalWork();
        }
    }

    private bool IsFirstInLine(DeliveryEntry entry) =>
        entry.OrderKey is not { } key || !_lines.TryGetValue(key, out var line) || ReferenceEquals(line.Min, entry);

    /// <summary>Under the lock: the deliveries waiting parked behind the first of their lines, of <paramref name="tenantId"/> (or all).</summary>
    private int CountParked(string? tenantId) =>
        _lines.Values.Sum(line => line.Skip(1).Count(e => tenantId is null || string.Equals(e.TenantId, tenantId, StringComparison.Ordinal)));

    private void Enqueue(DeliveryEntry entry, DateTimeOffset dueAt) =>
        _queue.Enqueue((entry, entry.Version), (dueAt.UtcTicks, _sequence++));

    /// <summary>Finds the earliest live queue entry, dropping stale ones on the way.</summary>
    private bool TryPeekLive([NotNullWhen(true)] out DeliveryEntry? entry, out long dueTicks)
    {
        while (_queue.TryPeek(out var item, out var priority))
        {
            // A dropped delivery's version moved on (see TrimMessages), so it never shows up here.
            if (item.Entry.Version == item.Version && !item.Entry.IsCompleted)
            {
                entry = item.Entry;
                dueTicks = priority.DueTicks;
                return true;
            }

            _queue.Dequeue();
        }

        entry = null;
        dueTicks = 0;
        return false;
    }

    /// <summary>Finds the delivery if it is still held under the lease (not completed, rescheduled or re-leased since).</summary>
    private bool TryGetLeased(DeliveryLease lease, [NotNullWhen(true)] out DeliveryEntry? entry) =>
        _deliveries.TryGetValue(lease.Delivery.Id, out entry)
        && entry.LeaseId is { } leaseId
        && string.Equals(leaseId, lease.LeaseId, StringComparison.Ordinal);
}
