using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore
{
    public Task AddSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var row = _documents.ToRow(subscription);
        var eventTypes = RowMapping.EventTypeRows(subscription).ToList();
        return GuardAsync($"adding subscription '{subscription.Id}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            if (await context.Set<SubscriptionRow>().AnyAsync(s => s.Id == subscription.Id, cancellationToken).ConfigureAwait(false))
            {
                throw DuplicateSubscription(subscription.Id);
            }

            context.Add(row);
            context.AddRange(eventTypes);
            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Added concurrently between the check and the insert?
                if (await SubscriptionExistsAsync(subscription.Id, cancellationToken).ConfigureAwait(false))
                {
                    throw DuplicateSubscription(subscription.Id);
                }

                throw;
            }
        });
    }

    public Task<WebhookSubscription?> GetSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return GuardAsync($"reading subscription '{id}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var row = await lease.Context.Set<SubscriptionRow>().AsNoTracking()
                .SingleOrDefaultAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false);
            return row is null ? null : _documents.ToModel(row);
        });
    }

    public Task<WebhookSubscription?> UpdateSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var stored = subscription with { Version = subscription.Version + 1 };
        var row = _documents.ToRow(stored);
        return GuardAsync($"updating subscription '{subscription.Id}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            return await InTransactionAsync(context, async () =>
            {
                // Conditional on the version read: a concurrent change makes this match no row.
                int updated = await context.Set<SubscriptionRow>()
                    .Where(s => s.Id == subscription.Id && s.Version == subscription.Version)
                    .ExecuteUpdateAsync(
                        set => set
                            .SetProperty(s => s.TenantId, row.TenantId)
                            .SetProperty(s => s.IsActive, row.IsActive)
                            .SetProperty(s => s.UpdatedAt, row.UpdatedAt)
                            .SetProperty(s => s.Version, row.Version)
                            .SetProperty(s => s.Document, row.Document)
                            .SetProperty(s => s.IsProtected, row.IsProtected),
                        cancellationToken)
                    .ConfigureAwait(false);
                if (updated == 0)
                {
                    return null;
                }

                await context.Set<SubscriptionEventTypeRow>().Where(e => e.SubscriptionId == subscription.Id)
                    .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                context.AddRange(RowMapping.EventTypeRows(stored));
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return (WebhookSubscription?)stored;
            }, cancellationToken).ConfigureAwait(false);
        });
    }

    public Task<bool> DeleteSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return GuardAsync($"deleting subscription '{id}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            return await InTransactionAsync(context, async () =>
            {
                await context.Set<SubscriptionEventTypeRow>().Where(e => e.SubscriptionId == id)
                    .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);

                // A pull subscription's unread deliveries fail: nobody can read them any more.
                var feed = context.Set<FeedRow>().Where(f => f.SubscriptionId == id);
                long now = RowMapping.Ticks(_timeProvider.GetUtcNow());
                await context.Set<DeliveryRow>().Where(d => feed.Select(f => f.DeliveryId).Contains(d.Id))
                    .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, (int)DeliveryStatus.Failed).SetProperty(x => x.CompletedAt, now), cancellationToken)
                    .ConfigureAwait(false);
                await feed.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                int deleted = await context.Set<SubscriptionRow>().Where(s => s.Id == id)
                    .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                return deleted > 0;
            }, cancellationToken).ConfigureAwait(false);
        });
    }

    public Task<WebhookPage<WebhookSubscription>> ListSubscriptionsAsync(SubscriptionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        int limit = ClampLimit(query.Limit);
        return GuardAsync("listing subscriptions", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var rows = lease.Context.Set<SubscriptionRow>().AsNoTracking();
            if (query.TenantId is { } tenantId)
            {
                rows = rows.Where(s => s.TenantId == tenantId);
            }

            if (query.IsActive is { } active)
            {
                rows = rows.Where(s => s.IsActive == active);
            }

            if (query.EventType is { } eventType)
            {
                return await ListReceivingAsync(rows, eventType, query.Cursor, limit, cancellationToken).ConfigureAwait(false);
            }

            if (query.Cursor is { } cursor)
            {
                rows = rows.Where(s => string.Compare(s.Id, cursor) > 0);
            }

            // One row more than the page tells whether another page follows.
            var page = await rows.OrderBy(s => s.Id).Take(limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
            var items = page.Take(limit).Select(_documents.ToModel).ToList();
            return new WebhookPage<WebhookSubscription>(items, page.Count > limit ? items[^1].Id : null);
        });
    }

    /// <summary>
    /// A page of the subscriptions among <paramref name="rows"/> that receive <paramref name="eventType"/>. The match index
    /// holds active subscriptions only, and a listing shows disabled ones too, so the documents are read in id order
    /// and tested until the page is full.
    /// </summary>
    private async Task<WebhookPage<WebhookSubscription>> ListReceivingAsync(
        IQueryable<SubscriptionRow> rows, string eventType, string? cursor, int limit, CancellationToken cancellationToken)
    {
        const int Chunk = 256;
        var items = new List<WebhookSubscription>(Math.Min(limit + 1, 64));
        while (items.Count <= limit)
        {
            var after = cursor;
            var chunk = await (after is null ? rows : rows.Where(s => string.Compare(s.Id, after) > 0))
                .OrderBy(s => s.Id).Take(Chunk).ToListAsync(cancellationToken).ConfigureAwait(false);
            items.AddRange(chunk.Select(_documents.ToModel).Where(s => s.Accepts(eventType)));
            if (chunk.Count < Chunk)
            {
                break;
            }

            cursor = chunk[^1].Id;
        }

        var page = items.Take(limit).ToList();
        return new WebhookPage<WebhookSubscription>(page, items.Count > limit ? page[^1].Id : null);
    }

    public Task<IReadOnlyList<WebhookSubscription>> FindSubscriptionsAsync(string eventType, string? tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        string tenantKey = RowMapping.TenantKey(tenantId);
        return GuardAsync($"finding the subscriptions to '{eventType}'", async () =>
        {
            await using var lease = await OpenForOutboxAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;

            // Two index seeks on (tenant, type): the explicit subscribers and those taking every type.
            var matching = context.Set<SubscriptionEventTypeRow>()
                .Where(e => e.TenantKey == tenantKey && (e.EventType == eventType || e.EventType == WebhookSubscriptionRequest.AllEventTypes))
                .Select(e => e.SubscriptionId);
            var rows = await context.Set<SubscriptionRow>().AsNoTracking()
                .Where(s => matching.Contains(s.Id) && s.IsActive)
                .OrderBy(s => s.Id)
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            return (IReadOnlyList<WebhookSubscription>)rows.Select(_documents.ToModel).ToList();
        });
    }

    private async Task<bool> SubscriptionExistsAsync(string id, CancellationToken cancellationToken)
    {
        await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await lease.Context.Set<SubscriptionRow>().AnyAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false);
    }

    private static InvalidOperationException DuplicateSubscription(string id) =>
        new($"A subscription with the id '{id}' already exists; create it with a new id.");
}
