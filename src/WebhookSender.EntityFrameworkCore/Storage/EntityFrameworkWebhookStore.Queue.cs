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

    public Task<bool> CompleteAsync(DeliveryLease lease, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        StoreArguments.CheckCompleted(lease, delivery);

        return EndLeaseAsync(lease, delivery, availableAt: null, "completing", cancellationToken);
    }

    public async Task<bool> RescheduleAsync(DeliveryLease lease, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        StoreArguments.CheckRescheduled(lease, delivery);

        bool rescheduled = await EndLeaseAsync(lease, delivery, RowMapping.Ticks(delivery.DueAt), "rescheduling", cancellationToken).ConfigureAwait(false);
        if (rescheduled)
        {
            // A waiter may be sleeping past the new due time.
            _notifications.Local.Set();
        }

        return rescheduled;
    }

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

    /// <summary>
    /// Writes the delivery's new state if the lease is still held: the update matches the row only while it carries
    /// this lease's token, which a re-lease replaces.
    /// </summary>
    private Task<bool> EndLeaseAsync(DeliveryLease lease, WebhookDelivery delivery, long? availableAt, string action, CancellationToken cancellationToken)
    {
        string id = delivery.Id;
        string leaseId = lease.LeaseId;
        var row = RowMapping.ToRow(delivery);
        return GuardAsync($"{action} delivery '{id}'", async () =>
        {
            await using var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
            int updated = await context.Context.Set<DeliveryRow>()
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
                        .SetProperty(d => d.AvailableAt, availableAt),
                    cancellationToken)
                .ConfigureAwait(false);
            return updated == 1;
        });
    }
}
