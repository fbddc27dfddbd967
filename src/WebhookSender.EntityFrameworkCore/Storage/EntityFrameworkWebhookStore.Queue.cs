using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore
{
    public Task<IReadOnlyList<DeliveryLease>> LeaseAsync(int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        return GuardAsync("leasing due deliveries", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var now = _timeProvider.GetUtcNow();
            var expiresAt = now + leaseDuration;
            string prefix = Guid.NewGuid().ToString("N") + ":";
            var rows = await Queries(lease.Context)
                .LeaseAsync(lease.Context, prefix, _options.InstanceId, RowMapping.Ticks(expiresAt), RowMapping.Ticks(now), maxCount, cancellationToken)
                .ConfigureAwait(false);

            // RETURNING gives no order; hand the work out earliest due first.
            return (IReadOnlyList<DeliveryLease>)rows
                .OrderBy(r => r.DueAt)
                .ThenBy(r => r.Id, StringComparer.Ordinal)
                .Select(r => new DeliveryLease(RowMapping.ToModel(r), r.LeaseId!, expiresAt))
                .ToList();
        });
    }

    public Task<IReadOnlyList<DeliveryLease>> LeaseBatchAsync(string batchKey, int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        return GuardAsync($"leasing the members of batch '{batchKey}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var now = _timeProvider.GetUtcNow();
            var expiresAt = now + leaseDuration;
            string prefix = Guid.NewGuid().ToString("N") + ":";
            var rows = await Queries(lease.Context)
                .LeaseBatchAsync(lease.Context, batchKey, prefix, _options.InstanceId, RowMapping.Ticks(expiresAt), RowMapping.Ticks(now), maxCount, cancellationToken)
                .ConfigureAwait(false);
            return (IReadOnlyList<DeliveryLease>)rows
                .OrderBy(r => r.CreatedAt)
                .ThenBy(r => r.Id, StringComparer.Ordinal)
                .Select(r => new DeliveryLease(RowMapping.ToModel(r), r.LeaseId!, expiresAt))
                .ToList();
        });
    }

    public async Task<IReadOnlyList<bool>> EndLeasesAsync(IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken)
    {
        StoreArguments.CheckEnds(ends);
        if (ends.Count == 0)
        {
            return [];
        }

        string what = ends.Count == 1 ? $"ending the lease of delivery '{ends[0].Delivery.Id}'" : $"ending {ends.Count} leases";
        var held = await GuardAsync(what, async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await InTransactionAsync(lease.Context, () => EndAllAsync(lease.Context, ends, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Some lease was lost (rare: it expired and another holder took the delivery). Find out which, one by one.
                return await InTransactionAsync(lease.Context, () => EndEachAsync(lease.Context, ends, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        if (ends.Where((end, i) => held[i] && end.Delivery.Status == DeliveryStatus.Queued).Any())
        {
            // A waiter may be sleeping past the new due time.
            _notifications.Local.Set();
        }

        return held;
    }

    /// <summary>
    /// The common case, in one round trip: the attempts inserted and each delivery updated where it still carries its
    /// lease token (the concurrency token); a lost lease makes SaveChanges throw and the transaction roll back.
    /// </summary>
    private static async Task<bool[]> EndAllAsync(DbContext context, IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken)
    {
        foreach (var end in ends)
        {
            if (end.Attempt is { } attempt)
            {
                context.Add(RowMapping.ToRow(attempt));
            }

            var entry = context.Attach(RowMapping.ToRow(end.Delivery));
            foreach (string property in EndedLeaseColumns)
            {
                entry.Property(property).IsModified = true;
            }

            var leaseId = entry.Property(d => d.LeaseId);
            leaseId.OriginalValue = end.Lease.LeaseId;
            leaseId.CurrentValue = null;
            leaseId.IsModified = true;
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return [.. ends.Select(_ => true)];
    }

    /// <summary>After a lost lease: the attempts inserted, and each delivery written by a conditional update of its own.</summary>
    private static async Task<bool[]> EndEachAsync(DbContext context, IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken)
    {
        context.AddRange(ends.Where(e => e.Attempt is not null).Select(e => RowMapping.ToRow(e.Attempt!)));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var held = new bool[ends.Count];
        for (int i = 0; i < ends.Count; i++)
        {
            string id = ends[i].Delivery.Id;
            string leaseId = ends[i].Lease.LeaseId;
            var row = RowMapping.ToRow(ends[i].Delivery);
            int updated = await context.Set<DeliveryRow>()
                .Where(d => d.Id == id && d.LeaseId == leaseId)
                .ExecuteUpdateAsync(
                    set => set
                        .SetProperty(d => d.Status, row.Status)
                        .SetProperty(d => d.AttemptCount, row.AttemptCount)
                        .SetProperty(d => d.DueAt, row.DueAt)
                        .SetProperty(d => d.LastAttemptAt, row.LastAttemptAt)
                        .SetProperty(d => d.LastStatusCode, row.LastStatusCode)
                        .SetProperty(d => d.CompletedAt, row.CompletedAt)
                        .SetProperty(d => d.BatchKey, row.BatchKey)
                        .SetProperty(d => d.LeaseId, (string?)null)
                        .SetProperty(d => d.LeaseOwner, (string?)null)
                        .SetProperty(d => d.LeaseExpiresAt, (long?)null)
                        .SetProperty(d => d.AvailableAt, row.AvailableAt),
                    cancellationToken)
                .ConfigureAwait(false);
            held[i] = updated == 1;
        }

        return held;
    }

    // What ending a lease writes besides the lease token: the delivery's state, the lease cleared, the queue position
    // (the row mapping puts a Queued delivery back at its due time and takes a finished one out).
    private static readonly string[] EndedLeaseColumns =
    [
        nameof(DeliveryRow.Status), nameof(DeliveryRow.AttemptCount), nameof(DeliveryRow.DueAt), nameof(DeliveryRow.LastAttemptAt),
        nameof(DeliveryRow.LastStatusCode), nameof(DeliveryRow.CompletedAt), nameof(DeliveryRow.BatchKey),
        nameof(DeliveryRow.LeaseOwner), nameof(DeliveryRow.LeaseExpiresAt), nameof(DeliveryRow.AvailableAt),
    ];

    public async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Taken before looking, so work stored between the look and the wait still wakes this waiter.
        var signal = _notifications.Local.Next;
        var next = await GuardAsync("looking for due deliveries", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            _notifications.EnsureListening(Queries(lease.Context).Provider);
            return await lease.Context.Set<DeliveryRow>().MinAsync(d => d.AvailableAt, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

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
        await Task.WhenAny(signal, delay).ConfigureAwait(false);
        await delayCancellation.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
