using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore
{
    public Task<WebhookMessage> AddMessageAsync(WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        StoreArguments.CheckDeliveriesOf(message, deliveries);
        return OutboxScope.Current is { } outbox
            ? GuardAsync($"adding message '{message.Id}' to the outbox", () => AddToOutboxAsync(outbox, message, deliveries, cancellationToken))
            : GuardAsync($"storing message '{message.Id}'", () => SaveMessageAsync(
                message, deliveries, [.. deliveries.Select(RowMapping.ToRow)], RowMapping.ToQueueRows(deliveries), announce: deliveries.Any(d => d.IsQueued), cancellationToken));
    }

    public async Task<StoredMessage> AddMessageAndLeaseAsync(
        WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        StoreArguments.CheckLeasedOnAdd(message, deliveries, leaseDuration);
        // The host's transaction decides when (and whether) the outbox's rows exist: stored unleased, announced at its
        // commit. Stored unleased too while this instance's heartbeat cannot vouch for leases: any instance may take them.
        if (OutboxScope.Current is not null || !_fence.TryVouch(out var vouched))
        {
            return new StoredMessage(await AddMessageAsync(message, deliveries, cancellationToken).ConfigureAwait(false), []);
        }

        // Leased as LeaseAsync leases: this instance as owner, back in the queue at expiry.
        var expiresAt = _timeProvider.GetUtcNow() + leaseDuration;
        string prefix = NewLeasePrefix();
        var leases = new DeliveryLease[deliveries.Count];
        var rows = new List<DeliveryRow>(deliveries.Count);
        var queue = new List<QueueRow>(deliveries.Count);
        for (int i = 0; i < deliveries.Count; i++)
        {
            var dispatched = deliveries[i] with { Status = DeliveryStatus.Dispatched };
            rows.Add(RowMapping.ToRow(dispatched));
            var queued = RowMapping.ToQueueRow(dispatched)!;
            queued.LeaseId = prefix + dispatched.Id;
            queued.LeaseOwner = _options.InstanceId;
            queued.LeaseExpiresAt = queued.AvailableAt = RowMapping.Ticks(expiresAt);
            queue.Add(queued);
            leases[i] = new DeliveryLease(dispatched, queued.LeaseId, expiresAt);
        }

        var stored = await GuardAsync($"storing message '{message.Id}'", () => SaveMessageAsync(message, deliveries, rows, queue, announce: false, cancellationToken))
            .ConfigureAwait(false);
        return new StoredMessage(stored, ReferenceEquals(stored, message) ? await VouchedAsync([.. leases], vouched).ConfigureAwait(false) : []);
    }

    public Task<WebhookMessage?> GetMessageAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return GuardAsync($"reading message '{id}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var row = await lease.Context.Set<MessageRow>().AsNoTracking()
                .SingleOrDefaultAsync(m => m.Id == id, cancellationToken).ConfigureAwait(false);
            return row is null ? null : RowMapping.ToModel(row);
        });
    }

    public Task AddDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        foreach (var delivery in deliveries)
        {
            ArgumentNullException.ThrowIfNull(delivery, nameof(deliveries));
        }

        CheckDistinct(deliveries);
        if (deliveries.Count == 0)
        {
            return Task.CompletedTask;
        }

        return GuardAsync("adding deliveries", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            string[] messageIds = [.. deliveries.Select(d => d.MessageId).Distinct(StringComparer.Ordinal)];
            var known = await context.Set<MessageRow>().Where(m => messageIds.Contains(m.Id)).Select(m => m.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (deliveries.FirstOrDefault(d => !known.Contains(d.MessageId, StringComparer.Ordinal)) is { } orphan)
            {
                throw new KeyNotFoundException(
                    $"No stored message has the id '{orphan.MessageId}' (delivery '{orphan.Id}'); it may have been removed by retention. Nothing was stored.");
            }

            await CheckNewDeliveriesAsync(context, deliveries, cancellationToken).ConfigureAwait(false);
            context.AddRange(deliveries.Select(RowMapping.ToRow));
            context.AddRange(RowMapping.ToQueueRows(deliveries));
            context.AddRange(RowMapping.ToFeedRows(deliveries));
            await SaveAndAnnounceAsync(context, deliveries, cancellationToken).ConfigureAwait(false);
        });
    }

    public Task<WebhookDelivery?> GetDeliveryAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return GuardAsync($"reading delivery '{id}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var row = await lease.Context.Set<DeliveryRow>().AsNoTracking()
                .SingleOrDefaultAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false);
            return row is null ? null : RowMapping.ToModel(row);
        });
    }

    public Task<WebhookPage<WebhookDelivery>> ListDeliveriesAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.Cursor is { } cursor ? PageCursor.Decode(cursor, nameof(query)) : default((long Ticks, string Id)?);
        int limit = ClampLimit(query.Limit);
        return GuardAsync("listing deliveries", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var rows = lease.Context.Set<DeliveryRow>().AsNoTracking();
            if (query.SubscriptionId is { } subscriptionId)
            {
                rows = rows.Where(d => d.SubscriptionId == subscriptionId);
            }

            if (query.MessageId is { } messageId)
            {
                rows = rows.Where(d => d.MessageId == messageId);
            }

            if (query.TenantId is { } tenantId)
            {
                rows = rows.Where(d => d.TenantId == tenantId);
            }

            if (query.Status is { } status)
            {
                rows = rows.Where(d => d.Status == (int)status);
            }

            if (query.Since is { } since)
            {
                long sinceTicks = RowMapping.Ticks(since);
                rows = rows.Where(d => d.CreatedAt >= sinceTicks);
            }

            if (query.Until is { } until)
            {
                long untilTicks = RowMapping.Ticks(until);
                rows = rows.Where(d => d.CreatedAt < untilTicks);
            }

            if (after is { } position)
            {
                rows = rows.Where(d => d.CreatedAt < position.Ticks || (d.CreatedAt == position.Ticks && string.Compare(d.Id, position.Id) < 0));
            }

            var page = await rows.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(limit + 1)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var items = page.Take(limit).ToList();
            string? next = page.Count > limit ? PageCursor.Encode(items[^1].CreatedAt, items[^1].Id) : null;
            return new WebhookPage<WebhookDelivery>([.. items.Select(RowMapping.ToModel)], next);
        });
    }

    /// <summary>
    /// Stores a message and its deliveries atomically, with plain inserts that also announce the work to other instances
    /// (the hot path of publishing: one round trip on PostgreSQL). Unique keys catch repeated ids and idempotency keys, so
    /// the common case pays no checks up front. Deliveries leased as they are stored are not announced: nobody else may take them.
    /// </summary>
    private async Task<WebhookMessage> SaveMessageAsync(
        WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, List<DeliveryRow> deliveryRows, List<QueueRow> queueRows, bool announce,
        CancellationToken cancellationToken)
    {
        await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var context = lease.Context;
        if (await FindByIdempotencyKeyAsync(context, message, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var queries = Queries(context);
        try
        {
            string? channel = announce ? _notifications.ChannelFor(queries.Provider) : null;
            var rows = new PublishRows(RowMapping.ToRow(message), deliveryRows, queueRows, RowMapping.ToFeedRows(deliveries));
            if (queries.Provider == StoreProvider.Sqlite)
            {
                await PublishOnSqliteAsync(context, rows, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await queries.Rows.PublishAsync(context, [rows], channel, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DbException)
        {
            // Nothing was stored. Say why: a concurrent publish with the same key (return its message, as if it had been
            // first), or an id that is taken. (If the database is unreachable, these reads fail and say so.)
            await using var again = await OpenAsync(cancellationToken).ConfigureAwait(false);
            if (await FindByIdempotencyKeyAsync(again.Context, message, cancellationToken).ConfigureAwait(false) is { } winner)
            {
                return winner;
            }

            if (await again.Context.Set<MessageRow>().AnyAsync(m => m.Id == message.Id, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"A message with the id '{message.Id}' already exists; nothing was stored.");
            }

            await CheckNewDeliveriesAsync(again.Context, deliveries, cancellationToken).ConfigureAwait(false);
            throw;
        }

        if (announce)
        {
            _notifications.Local.Set();
        }

        return message;
    }

    /// <summary>
    /// The outbox: adds the message and its deliveries to the host's context without saving. The host's SaveChanges and
    /// transaction decide whether they exist; the commit interceptor wakes the dispatchers afterwards.
    /// </summary>
    private async Task<WebhookMessage> AddToOutboxAsync(OutboxScope outbox, WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        var context = outbox.Context;
        if (context.Model.FindEntityType(typeof(MessageRow)) is null)
        {
            throw LeaseQueries.MissingModel(context);
        }

        if (message.IdempotencyKey is { } key)
        {
            // Published earlier in this unit of work and not saved yet?
            string tenantKey = RowMapping.TenantKey(message.TenantId);
            var pending = context.ChangeTracker.Entries<MessageRow>()
                .Select(e => e.Entity)
                .FirstOrDefault(m => m.TenantKey == tenantKey && string.Equals(m.IdempotencyKey, key, StringComparison.Ordinal));
            if (pending is not null)
            {
                outbox.Claimed = true;
                return RowMapping.ToModel(pending);
            }

            if (await FindByIdempotencyKeyAsync(context, message, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                outbox.Claimed = true;
                return existing;
            }
        }

        context.Add(RowMapping.ToRow(message));
        context.AddRange(deliveries.Select(RowMapping.ToRow));
        context.AddRange(RowMapping.ToQueueRows(deliveries));
        context.AddRange(RowMapping.ToFeedRows(deliveries));
        outbox.Claimed = true;
        if (deliveries.Any(d => d.IsQueued))
        {
            OutboxCommitInterceptor.MarkPending(context);
        }

        return message;
    }

    /// <summary>In the outbox, the host's context (its connection and transaction); otherwise a fresh one.</summary>
    private async ValueTask<ContextLease> OpenForOutboxAsync(CancellationToken cancellationToken)
    {
        if (OutboxScope.Current is { } outbox)
        {
            if (outbox.Context.Model.FindEntityType(typeof(SubscriptionRow)) is null)
            {
                throw LeaseQueries.MissingModel(outbox.Context);
            }

            return new ContextLease(outbox.Context, scope: null, owned: false);
        }

        return await OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Saves the context's changes, then announces the deliveries among them.</summary>
    private async Task SaveAndAnnounceAsync(DbContext context, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await AnnounceAsync(context, deliveries, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After a commit: wakes this process and, on PostgreSQL, announces the work to the other instances. The announcement
    /// follows the commit on the same connection: listeners never wake before the rows are visible.
    /// </summary>
    private async Task AnnounceAsync(DbContext context, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        if (!deliveries.Any(d => d.IsQueued))
        {
            return;
        }

        _notifications.Local.Set();
        try
        {
            await _notifications.AnnounceAsync(context, Queries(context).Provider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (FindDbException(ex) is not null)
        {
            // Stored all the same: the other instances find the work at their next poll.
            _notifications.ReportAnnounceFailure(ex);
        }
    }

    private static async Task<WebhookMessage?> FindByIdempotencyKeyAsync(DbContext context, WebhookMessage message, CancellationToken cancellationToken)
    {
        if (message.IdempotencyKey is not { } key)
        {
            return null;
        }

        string tenantKey = RowMapping.TenantKey(message.TenantId);
        var row = await context.Set<MessageRow>().AsNoTracking()
            .FirstOrDefaultAsync(m => m.TenantKey == tenantKey && m.IdempotencyKey == key, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToModel(row);
    }

    /// <summary>Refuses a batch that repeats a delivery id.</summary>
    private static void CheckDistinct(IReadOnlyList<WebhookDelivery> deliveries)
    {
        var ids = new HashSet<string>(deliveries.Count, StringComparer.Ordinal);
        foreach (var delivery in deliveries)
        {
            if (!ids.Add(delivery.Id))
            {
                throw new InvalidOperationException($"A delivery with the id '{delivery.Id}' already exists; nothing was stored.");
            }
        }
    }

    /// <summary>Refuses deliveries whose ids are stored already.</summary>
    private static async Task CheckNewDeliveriesAsync(DbContext context, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        if (deliveries.Count == 0)
        {
            return;
        }

        string[] ids = [.. deliveries.Select(d => d.Id)];
        var taken = await context.Set<DeliveryRow>().Where(d => ids.Contains(d.Id)).Select(d => d.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (taken is not null)
        {
            throw new InvalidOperationException($"A delivery with the id '{taken}' already exists; nothing was stored.");
        }
    }
}
