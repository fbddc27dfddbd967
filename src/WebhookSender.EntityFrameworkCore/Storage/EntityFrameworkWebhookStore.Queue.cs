using Microsoft.EntityFrameworkCore;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore
{
    /// <summary>Ordered lines are kept by the lease statement: a row of a line goes only when no earlier row of it is left.</summary>
    public bool KeepsOrder => true;

    public Task<IReadOnlyList<DeliveryLease>> LeaseAsync(int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);

        // RETURNING gives no order; hand the work out earliest due first.
        return LeaseRowsAsync("leasing due deliveries", leaseDuration, r => r.DueAt, (queries, context, prefix, expires, now) =>
            queries.LeaseAsync(context, prefix, _options.InstanceId, expires, now, maxCount, cancellationToken), cancellationToken);
    }

    public Task<IReadOnlyList<DeliveryLease>> LeaseBatchAsync(string batchKey, int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        return LeaseRowsAsync($"leasing the members of batch '{batchKey}'", leaseDuration, r => r.CreatedAt, (queries, context, prefix, expires, now) =>
            queries.LeaseBatchAsync(context, batchKey, prefix, _options.InstanceId, expires, now, maxCount, cancellationToken), cancellationToken);
    }

    /// <summary>Runs one of the lease statements (a write: queued for SQLite's writer) and hands its rows out in order.</summary>
    private Task<IReadOnlyList<DeliveryLease>> LeaseRowsAsync(
        string operation, TimeSpan leaseDuration, Func<DeliveryRow, long> order,
        Func<LeaseQueries, DbContext, string, long, long, Task<List<DeliveryRow>>> lease, CancellationToken cancellationToken) =>
        GuardAsync(operation, async () =>
        {
            // Nothing while this instance's heartbeat cannot vouch for leases: other instances may be taking its work over.
            if (!_fence.TryVouch(out var vouched))
            {
                return (IReadOnlyList<DeliveryLease>)[];
            }

            await using var scope = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var now = _timeProvider.GetUtcNow();
            var expiresAt = now + leaseDuration;

            string prefix = NewLeasePrefix();
            var rows = await WriteAsync(
                scope.Context,
                () => lease(Queries(scope.Context), scope.Context, prefix, RowMapping.Ticks(expiresAt), RowMapping.Ticks(now)),
                cancellationToken).ConfigureAwait(false);
            var leases = rows
                .OrderBy(order)
                .ThenBy(r => r.Id, StringComparer.Ordinal)
                .Select(r => new DeliveryLease(RowMapping.ToModel(r), prefix + r.Id, expiresAt))
                .ToList();
            return await VouchedAsync(leases, vouched).ConfigureAwait(false);
        });

    /// <summary>
    /// Leases taken while the heartbeat vouched under <paramref name="vouched"/>, if it still does; otherwise (it lost
    /// them while the write ran, and may already have been taken over) they go back at once and none is handed out.
    /// </summary>
    private async Task<IReadOnlyList<DeliveryLease>> VouchedAsync(List<DeliveryLease> leases, CancellationToken vouched)
    {
        if (leases.Count == 0 || _fence.StillVouches(vouched))
        {
            return leases;
        }

        try
        {
            await EndLeasesAsync([.. leases.Select(l => new LeaseEnd(l, l.Delivery with { Status = DeliveryStatus.Queued }))], CancellationToken.None).ConfigureAwait(false);
        }
        catch (WebhookStoreException)
        {
            // They come back when taken over, or when their leases expire.
        }

        return [];
    }

    /// <summary>A new token per lease call, prefixed to each delivery id (the lease token): every lease is distinct.</summary>
    private static string NewLeasePrefix() => Guid.NewGuid().ToString("N") + ":";

    // Before the first context the provider is unknown: the first lease end then goes at once.
    public TimeSpan LeaseEndDelay =>
        _options.LeaseEndDelay ?? (_queries?.Provider == StoreProvider.Sqlite ? SqliteLeaseEndDelay : TimeSpan.Zero);

    public async Task<IReadOnlyList<bool>> EndLeasesAsync(IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken)
    {
        StoreArguments.CheckEnds(ends);
        if (ends.Count == 0)
        {
            return [];
        }

        var attempts = AttemptRows.From(ends.Where(e => e.Attempt is not null).Select(e => e.Attempt!), _storedBodies);
        var rows = ends.Select(e => new EndedLease(RowMapping.ToRow(e.Delivery), e.Lease.LeaseId, RowMapping.ToQueueRow(e.Delivery))).ToList();
        string what = ends.Count == 1 ? $"ending the lease of delivery '{ends[0].Delivery.Id}'" : $"ending {ends.Count} leases";
        var held = await GuardAsync(what, async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await WriteAsync(lease.Context, () => Queries(lease.Context).Rows.EndLeasesAsync(lease.Context, attempts, rows, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
        }).ConfigureAwait(false);
        _storedBodies.Add(attempts.Bodies);

        if (ends.Where((end, i) => held[i] && end.Delivery.Status == DeliveryStatus.Queued).Any())
        {
            // A waiter may be sleeping past the new due time.
            _notifications.Local.Set();
        }

        return held;
    }

    public async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // While this instance cannot lease, due work is no reason to look again: wait until its heartbeat vouches.
        if (_fence.IsLost)
        {
            await _fence.WhenVouchedAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Taken before looking, so work stored between the look and the wait still wakes this waiter.
        var signal = _notifications.Local.Next;
        var next = await NextAvailableAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

        long nowTicks = _timeProvider.GetUtcNow().UtcTicks;
        long waitTicks = _options.PollInterval.Ticks;
        if (next is { } availableAt)
        {
            if (availableAt <= nowTicks)
            {
                return;
            }

            // Rounded up to a whole millisecond, which timers count in, so the wait never ends just before the due time.
            long untilDue = availableAt - nowTicks;
            waitTicks = Math.Min(waitTicks, (untilDue + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond);
        }

        using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(TimeSpan.FromTicks(waitTicks), _timeProvider, delayCancellation.Token);

        // The clock may have passed the due time while the timer was being made (a test clock jumps): then the timer,
        // counted from the later time, would fire too late. Look again instead of waiting.
        if (next is not { } due || _timeProvider.GetUtcNow().UtcTicks < due)
        {
            await Task.WhenAny(signal, delay).ConfigureAwait(false);
        }

        await delayCancellation.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The look at the queue, run to its end even when the waiter stops waiting: it takes milliseconds, and the dispatcher
    /// stops waiting whenever work is handed over locally. Cancelling the statement instead would make Npgsql open a new
    /// connection to send a cancel request, and PostgreSQL log an error ("canceling statement due to user request"), for
    /// nothing. The waiter returns at once; the statement finishes on its own and gives its connection back.
    /// </summary>
    private Task<long?> NextAvailableAsync()
    {
        var look = GuardAsync("looking for due deliveries", async () =>
        {
            await using var lease = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
            _notifications.EnsureListening(Queries(lease.Context).Provider);
            return await LeaseQueries.NextAvailableAsync(lease.Context, CancellationToken.None).ConfigureAwait(false);
        });

        // A look nobody waits for any more may still fail (the database went away): its error is observed here, and the
        // next look reports the outage to whoever waits then.
        _ = look.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return look;
    }
}
