using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore
{
    public Task AddAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var row = RowMapping.ToRow(attempt);
        return GuardAsync($"logging attempt {attempt.AttemptNumber} of delivery '{attempt.DeliveryId}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            context.Add(row);
            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // The primary key refused it: say so plainly (checked only on failure, not on every attempt).
                await using var again = await OpenAsync(cancellationToken).ConfigureAwait(false);
                if (await again.Context.Set<AttemptRow>().AnyAsync(a => a.Id == row.Id, cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"An attempt with the id '{attempt.Id}' is already in the log.");
                }

                throw;
            }
        });
    }

    public Task<WebhookPage<DeliveryAttempt>> ListAttemptsAsync(AttemptQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.Cursor is { } cursor ? PageCursor.DecodeAttempt(cursor, nameof(query)) : default((long Ticks, string Id)?);
        int limit = ClampLimit(query.Limit);
        return GuardAsync("listing attempts", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var rows = lease.Context.Set<AttemptRow>().AsNoTracking();
            if (query.SubscriptionId is { } subscriptionId)
            {
                rows = rows.Where(a => a.SubscriptionId == subscriptionId);
            }

            if (query.MessageId is { } messageId)
            {
                rows = rows.Where(a => a.MessageId == messageId);
            }

            if (query.DeliveryId is { } deliveryId)
            {
                rows = rows.Where(a => a.DeliveryId == deliveryId);
            }

            if (query.TenantId is { } tenantId)
            {
                rows = rows.Where(a => a.TenantId == tenantId);
            }

            if (query.Succeeded is { } succeeded)
            {
                rows = rows.Where(a => a.Succeeded == succeeded);
            }

            if (query.Since is { } since)
            {
                long sinceTicks = RowMapping.Ticks(since);
                rows = rows.Where(a => a.StartedAt >= sinceTicks);
            }

            if (query.Until is { } until)
            {
                long untilTicks = RowMapping.Ticks(until);
                rows = rows.Where(a => a.StartedAt < untilTicks);
            }

            if (after is { } position)
            {
                rows = rows.Where(a => a.StartedAt < position.Ticks || (a.StartedAt == position.Ticks && string.Compare(a.Id, position.Id) < 0));
            }

            var page = await rows.OrderByDescending(a => a.StartedAt).ThenByDescending(a => a.Id).Take(limit + 1)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var items = page.Take(limit).ToList();
            string? next = page.Count > limit ? PageCursor.Encode(items[^1].StartedAt, items[^1].Id) : null;
            return new WebhookPage<DeliveryAttempt>(await WithBodiesAsync(lease.Context, items, cancellationToken).ConfigureAwait(false), next);
        });
    }

    public Task<DeliveryAttempt?> GetAttemptAsync(Guid id, CancellationToken cancellationToken)
    {
        string key = id.ToString("N");
        return GuardAsync("reading an attempt", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var row = await lease.Context.Set<AttemptRow>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == key, cancellationToken).ConfigureAwait(false);
            return row is null ? null : (await WithBodiesAsync(lease.Context, [row], cancellationToken).ConfigureAwait(false))[0];
        });
    }

    /// <summary>The attempts of <paramref name="rows"/>, with the request bodies kept apart read back in one query.</summary>
    private static async Task<List<DeliveryAttempt>> WithBodiesAsync(DbContext context, IReadOnlyList<AttemptRow> rows, CancellationToken cancellationToken)
    {
        var messageIds = rows.Where(r => r.BodyDigest is not null).Select(r => r.MessageId).Distinct(StringComparer.Ordinal).ToList();
        var bodies = messageIds.Count == 0
            ? new Dictionary<(string, long), string>()
            : await context.Set<BodyRow>().AsNoTracking().Where(b => messageIds.Contains(b.MessageId))
                .ToDictionaryAsync(b => (b.MessageId, b.Digest), b => b.Body, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(row => RowMapping.ToModel(row, bodies))];
    }
}
