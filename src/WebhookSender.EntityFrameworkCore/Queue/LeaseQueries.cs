using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Every provider-specific SQL statement of the package, in one place: the lease queries, PostgreSQL's
/// <c>NOTIFY</c>/<c>LISTEN</c>, (in <see cref="RowWriter"/>) the hot path's writes and (in <see cref="InstanceQueries"/>)
/// the instances' heartbeats. Everything else is LINQ that EF Core translates for any provider.
/// </summary>
internal sealed class LeaseQueries
{
    public const string PostgreSqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";

    private readonly string _leaseSql;
    private readonly string _leaseBatchSql;
    private readonly string _markDispatchedSql;
    private string? _takePermitsSql;
    private string? _takeQuotaSql;

    private LeaseQueries(DbContext context, StoreProvider provider, string leaseSql, string leaseBatchSql, string markDispatchedSql)
    {
        Provider = provider;
        Rows = RowWriter.For(provider, context);
        Instances = new InstanceQueries(context, provider);
        _leaseSql = leaseSql;
        _leaseBatchSql = leaseBatchSql;
        _markDispatchedSql = markDispatchedSql;
    }

    public StoreProvider Provider { get; }

    /// <summary>The hot path's inserts and lease ends, in plain SQL.</summary>
    public RowWriter Rows { get; }

    /// <summary>The heartbeat's statements and taking a silent instance's leases over.</summary>
    public InstanceQueries Instances { get; }

    /// <summary>Reads the provider and the (possibly schema-qualified) tables from the host's model.</summary>
    public static LeaseQueries For(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        var deliveries = Mapped(context, typeof(DeliveryRow), sql);
        var queue = Mapped(context, typeof(QueueRow), sql);
        string Column(RowWriter.Table table, string property) => table.Column(property).Name;
        string id = Column(deliveries, nameof(DeliveryRow.Id));
        string deliveryId = Column(queue, nameof(QueueRow.DeliveryId));
        string available = Column(queue, nameof(QueueRow.AvailableAt));
        string leaseId = Column(queue, nameof(QueueRow.LeaseId));

        // Taking queue rows: the new lease token is a random batch prefix plus the delivery id, so each lease is distinct
        // and a lapsed lease's holder can no longer match it; the row is available again when the lease expires.
        string take =
            $"UPDATE {queue.Name} SET {leaseId} = {{0}} || {deliveryId}, {Column(queue, nameof(QueueRow.LeaseOwner))} = {{1}}, " +
            $"{Column(queue, nameof(QueueRow.LeaseExpiresAt))} = {{2}}, {available} = {{2}} ";
        // A row of an ordered line goes only when no earlier row of its line is left (leased, retrying or due).
        string orderKey = Column(queue, nameof(QueueRow.OrderKey));
        string orderedAt = Column(queue, nameof(QueueRow.OrderedAt));
        string first =
            $"(q.{orderKey} IS NULL OR NOT EXISTS (SELECT 1 FROM {queue.Name} AS p WHERE p.{orderKey} = q.{orderKey} " +
            $"AND (p.{orderedAt} < q.{orderedAt} OR (p.{orderedAt} = q.{orderedAt} AND p.{deliveryId} < q.{deliveryId}))))";
        string pick = $"SELECT q.{deliveryId} FROM {queue.Name} AS q WHERE q.{available} <= {{3}} AND {first} ORDER BY q.{available}, q.{deliveryId} LIMIT {{4}}";

        // A batch's members: every one not held under a live lease, whatever its due time, oldest first.
        string pickBatch =
            $"SELECT q.{deliveryId} FROM {queue.Name} AS q JOIN {deliveries.Name} AS d ON d.{id} = q.{deliveryId} " +
            $"WHERE q.{Column(queue, nameof(QueueRow.BatchKey))} = {{5}} AND (q.{leaseId} IS NULL OR q.{available} <= {{3}}) " +
            $"ORDER BY d.{Column(deliveries, nameof(DeliveryRow.CreatedAt))}, d.{id} LIMIT {{4}}";
        string value = sql.DelimitIdentifier("Value"); // the column EF Core reads a list of scalars from
        string dispatched = $"UPDATE {deliveries.Name} SET {Column(deliveries, nameof(DeliveryRow.Status))} = {(int)DeliveryStatus.Dispatched} ";

        return context.Database.ProviderName switch
        {
            // One statement takes the queue rows and marks their deliveries. Rows locked by another instance's lease
            // transaction are skipped, not waited for: instances never hand out the same delivery, and never queue behind
            // each other. ARRAY(...) evaluates the locking subquery exactly once.
            PostgreSqlProvider => new LeaseQueries(
                context,
                StoreProvider.PostgreSql,
                Lease($"WHERE {deliveryId} = ANY(ARRAY({pick} FOR UPDATE OF q SKIP LOCKED))"),
                Lease($"WHERE {deliveryId} = ANY(ARRAY({pickBatch} FOR UPDATE OF q SKIP LOCKED))"),
                markDispatchedSql: ""), // the lease statement marks the deliveries itself

            // SQLite has one writer at a time and no writes in WITH: the two statements run alone, in one transaction, so
            // the subquery cannot race (needs SQLite 3.35+ for RETURNING).
            SqliteProvider => new LeaseQueries(
                context,
                StoreProvider.Sqlite,
                take + $"WHERE {deliveryId} IN ({pick}) RETURNING {deliveryId} AS {value}",
                take + $"WHERE {deliveryId} IN ({pickBatch}) RETURNING {deliveryId} AS {value}",
                dispatched + $"WHERE {id} IN (SELECT value FROM json_each({{0}})) RETURNING *"),

            var other => throw new NotSupportedException(
                $"The webhook store supports PostgreSQL (Npgsql) and SQLite; {context.GetType().Name} uses '{other}'. " +
                "Use one of those providers for the webhook tables, or the in-memory store."),
        };

        string Lease(string where) =>
            $"WITH leased AS ({take}{where} RETURNING {deliveryId}) {dispatched}WHERE {id} = ANY(ARRAY(SELECT {deliveryId} FROM leased)) RETURNING *";
    }

    /// <summary>A webhook table as mapped in the host's model (the same description the row writer uses).</summary>
    private static RowWriter.Table Mapped(DbContext context, Type type, ISqlGenerationHelper sql) =>
        RowWriter.Table.Of(context.Model.FindEntityType(type) ?? throw MissingModel(context), sql);

    public static InvalidOperationException MissingModel(DbContext context) => new(
        $"{context.GetType().Name} has no webhook tables: call modelBuilder.AddWebhookSender() in its OnModelCreating, then add a migration.");

    /// <summary>Leases up to <paramref name="limit"/> deliveries available at <paramref name="nowTicks"/>; returns them as updated.</summary>
    public Task<List<DeliveryRow>> LeaseAsync(
        DbContext context, string leasePrefix, string owner, long expiresTicks, long nowTicks, int limit, CancellationToken cancellationToken) =>
        LeaseAsync(context, _leaseSql, [leasePrefix, owner, expiresTicks, nowTicks, limit], cancellationToken);

    /// <summary>Leases up to <paramref name="limit"/> members of one batch that no live lease holds; returns them as updated.</summary>
    public Task<List<DeliveryRow>> LeaseBatchAsync(
        DbContext context, string batchKey, string leasePrefix, string owner, long expiresTicks, long nowTicks, int limit, CancellationToken cancellationToken) =>
        LeaseAsync(context, _leaseBatchSql, [leasePrefix, owner, expiresTicks, nowTicks, limit, batchKey], cancellationToken);

    private async Task<List<DeliveryRow>> LeaseAsync(DbContext context, string sql, object[] parameters, CancellationToken cancellationToken)
    {
        if (Provider == StoreProvider.PostgreSql)
        {
            return await Deliveries(context, sql, parameters).ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        return await EntityFrameworkWebhookStore.InTransactionAsync(context, async () =>
        {
            var ids = await context.Database.SqlQueryRaw<string>(sql, parameters).ToListAsync(cancellationToken).ConfigureAwait(false);
            return ids.Count == 0
                ? []
                : await Deliveries(context, _markDispatchedSql, [JsonSerializer.Serialize(ids)]).ToListAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static IQueryable<DeliveryRow> Deliveries(DbContext context, string sql, object[] parameters) =>
        context.Set<DeliveryRow>().FromSqlRaw(sql, parameters).AsNoTracking();

    /// <summary>
    /// Takes up to <paramref name="count"/> permits from a token bucket in one statement (a generic cell rate algorithm):
    /// the bucket may hand out as many as fit between when it is full again and <paramref name="nowTicks"/> plus its
    /// burst. Every expression of an update reads the row as it was, so the grant and the new value agree.
    /// </summary>
    public Task<LimitRow> TakePermitsAsync(
        DbContext context, string key, int count, long intervalTicks, int burst, long nowTicks, CancellationToken cancellationToken) =>
        TakeAsync(context, _takePermitsSql ??= LimitSql(context, rate: true), [key, count, intervalTicks, burst, nowTicks], cancellationToken);

    /// <summary>Counts up to <paramref name="count"/> more requests against a quota of <paramref name="limit"/>, in one statement.</summary>
    public Task<LimitRow> TakeQuotaAsync(
        DbContext context, string key, int count, long limit, long windowEndTicks, CancellationToken cancellationToken) =>
        TakeAsync(context, _takeQuotaSql ??= LimitSql(context, rate: false), [key, count, limit, windowEndTicks], cancellationToken);

    private static async Task<LimitRow> TakeAsync(DbContext context, string sql, object[] parameters, CancellationToken cancellationToken)
    {
        var rows = await context.Set<LimitRow>().FromSqlRaw(sql, parameters).AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Single();
    }

    private string LimitSql(DbContext context, bool rate)
    {
        var table = Mapped(context, typeof(LimitRow), context.GetService<ISqlGenerationHelper>());
        string id = table.Column(nameof(LimitRow.Id)).Name;
        string value = table.Column(nameof(LimitRow.Value)).Name;
        string granted = table.Column(nameof(LimitRow.Granted)).Name;
        string expires = table.Column(nameof(LimitRow.ExpiresAt)).Name;
        var (max, min) = Provider == StoreProvider.PostgreSql ? ("GREATEST", "LEAST") : ("MAX", "MIN");
        string insert = $"INSERT INTO {table.Name} AS r ({id}, {value}, {granted}, {expires}) VALUES ";
        string returning = $" RETURNING {id}, {value}, {granted}, {expires}";
        if (rate)
        {
            // {0} key, {1} count, {2} interval, {3} burst, {4} now; a new bucket starts full. The value is when it is full again.
            string start = $"{max}(r.{value}, {{4}})";
            string fits = $"{min}({{1}}, {max}(0, ({{4}} + {{3}} * {{2}} - {start}) / {{2}}))";
            return insert + $"({{0}}, {{4}} + {min}({{1}}, {{3}}) * {{2}}, {min}({{1}}, {{3}}), {{4}} + {min}({{1}}, {{3}}) * {{2}}) " +
                $"ON CONFLICT ({id}) DO UPDATE SET {granted} = {fits}, {value} = {start} + {fits} * {{2}}, {expires} = {start} + {fits} * {{2}}" + returning;
        }

        // {0} key (one per window), {1} count, {2} limit, {3} the window's end. The value is what was counted.
        string left = $"{min}({{1}}, {max}(0, {{2}} - r.{value}))";
        return insert + $"({{0}}, {min}({{1}}, {max}(0, {{2}})), {min}({{1}}, {max}(0, {{2}})), {{3}}) " +
            $"ON CONFLICT ({id}) DO UPDATE SET {granted} = {left}, {value} = r.{value} + {left}" + returning;
    }

    /// <summary>The earliest time a queued delivery becomes available, or <see langword="null"/> when the queue is empty.</summary>
    public static Task<long?> NextAvailableAsync(DbContext context, CancellationToken cancellationToken) =>
        context.Set<QueueRow>().MinAsync(q => (long?)q.AvailableAt, cancellationToken);

    /// <summary>PostgreSQL: announces work; inside a transaction it is delivered when (and only if) the transaction commits.</summary>
    public static Task NotifyAsync(DbContext context, string channel, CancellationToken cancellationToken) =>
        context.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, '')", [channel], cancellationToken);

    /// <summary>PostgreSQL: the statement that subscribes a connection to the channel (validated as an identifier at start-up).</summary>
    public static string ListenSql(string channel) => $"LISTEN {channel}";
}
