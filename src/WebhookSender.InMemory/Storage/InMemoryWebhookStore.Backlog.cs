namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    /// <summary>
    /// Counts the pending deliveries with one scan of the queue under the lock: O(n) in the queue's entries, that is the
    /// pending deliveries (at most <see cref="InMemoryStoreOptions.MaxPendingDeliveries"/>) plus entries gone stale since
    /// their delivery moved on and not yet dropped. It allocates nothing, but publishing and leasing wait for the scan:
    /// call it every few seconds, not per request.
    /// </summary>
    public Task<WebhookBacklog> GetBacklogAsync(string? tenantId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            long nowTicks = now.UtcTicks;
            int due = 0, inFlight = 0, waiting = 0;
            long oldest = long.MaxValue;
            foreach (var ((entry, version), (availableTicks, _)) in _queue.UnorderedItems)
            {
                // Each pending delivery has one live entry: at its due time while queued, at its lease expiry while leased.
                if (entry.Version != version || entry.IsCompleted || (tenantId is not null && !string.Equals(entry.TenantId, tenantId, StringComparison.Ordinal)))
                {
                    continue;
                }

                if (availableTicks <= nowTicks)
                {
                    due++;
                    oldest = Math.Min(oldest, availableTicks);
                }
                else if (entry.LeaseId is not null)
                {
                    inFlight++;
                }
                else
                {
                    waiting++;
                }
            }

            // Deliveries parked behind the first of an ordered line wait for it, whatever their due time.
            waiting += CountParked(tenantId);
            return Task.FromResult(new WebhookBacklog
            {
                Due = due,
                InFlight = inFlight,
                Waiting = waiting,
                OldestDueAt = due == 0 ? null : new DateTimeOffset(oldest, TimeSpan.Zero),
                MeasuredAt = now,
            });
        }
    }
}
