using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>The database products the store runs on.</summary>
internal enum StoreProvider
{
    PostgreSql,
    Sqlite,
}

/// <summary>
/// Every provider-specific SQL statement of the package, in one place: the lease query, PostgreSQL's
/// <c>NOTIFY</c>/<c>LISTEN</c>, and (in <see cref="RowWriter"/>) the hot path's writes. Everything else is LINQ that EF
/// Core translates for any provider.
/// </summary>
internal sealed class LeaseQueries
{
    public const string PostgreSqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";

    private readonly string _leaseSql;
    private readonly string _leaseBatchSql;

    private LeaseQueries(DbContext context, StoreProvider provider, string leaseSql, string leaseBatchSql)
    {
        Provider = provider;
        Rows = RowWriter.For(provider, context);
        _leaseSql = leaseSql;
        _leaseBatchSql = leaseBatchSql;
    }

    public StoreProvider Provider { get; }

    /// <summary>The hot path's inserts and lease ends, in plain SQL.</summary>
    public RowWriter Rows { get; }

    /// <summary>Reads the provider and the (possibly schema-qualified) deliveries table from the host's model.</summary>
    public static LeaseQueries For(DbContext context)
    {
        var entity = context.Model.FindEntityType(typeof(DeliveryRow)) ?? throw MissingModel(context);
        string table = entity.GetTableName()!;
        string? schema = entity.GetSchema();
        var sql = context.GetService<ISqlGenerationHelper>();
        string deliveries = sql.DelimitIdentifier(table, schema);
        var storeObject = StoreObjectIdentifier.Table(table, schema);
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(storeObject)!);

        string id = Column(nameof(DeliveryRow.Id));
        string available = Column(nameof(DeliveryRow.AvailableAt));

        // One statement picks the earliest available rows and takes them: the new lease token is a random batch prefix
        // plus the delivery id, so each lease is distinct and a lapsed lease's holder can no longer match it.
        string set =
            $"UPDATE {deliveries} SET {Column(nameof(DeliveryRow.Status))} = {(int)DeliveryStatus.Dispatched}, " +
            $"{Column(nameof(DeliveryRow.LeaseId))} = {{0}} || {id}, {Column(nameof(DeliveryRow.LeaseOwner))} = {{1}}, " +
            $"{Column(nameof(DeliveryRow.LeaseExpiresAt))} = {{2}}, {available} = {{2}} ";
        string pick = $"SELECT {id} FROM {deliveries} WHERE {available} <= {{3}} ORDER BY {available}, {id} LIMIT {{4}}";

        // A batch's members: every one not held under a live lease, whatever its due time, oldest first.
        string pickBatch =
            $"SELECT {id} FROM {deliveries} WHERE {Column(nameof(DeliveryRow.BatchKey))} = {{5}} AND {available} IS NOT NULL " +
            $"AND ({Column(nameof(DeliveryRow.Status))} = {(int)DeliveryStatus.Queued} OR {available} <= {{3}}) " +
            $"ORDER BY {Column(nameof(DeliveryRow.CreatedAt))}, {id} LIMIT {{4}}";

        return context.Database.ProviderName switch
        {
            // Rows locked by another instance's lease transaction are skipped, not waited for: instances never hand out the
            // same delivery, and never queue behind each other. ARRAY(...) evaluates the locking subquery exactly once.
            PostgreSqlProvider => new LeaseQueries(
                context,
                StoreProvider.PostgreSql,
                set + $"WHERE {id} = ANY(ARRAY({pick} FOR UPDATE SKIP LOCKED)) RETURNING *",
                set + $"WHERE {id} = ANY(ARRAY({pickBatch} FOR UPDATE SKIP LOCKED)) RETURNING *"),

            // SQLite has one writer at a time: the statement runs alone, so the subquery cannot race (needs SQLite 3.35+).
            SqliteProvider => new LeaseQueries(
                context,
                StoreProvider.Sqlite,
                set + $"WHERE {id} IN ({pick}) RETURNING *",
                set + $"WHERE {id} IN ({pickBatch}) RETURNING *"),

            var other => throw new NotSupportedException(
                $"The webhook store supports PostgreSQL (Npgsql) and SQLite; {context.GetType().Name} uses '{other}'. " +
                "Use one of those providers for the webhook tables, or the in-memory store."),
        };
    }

    public static InvalidOperationException MissingModel(DbContext context) => new(
        $"{context.GetType().Name} has no webhook tables: call modelBuilder.AddWebhookSender() in its OnModelCreating, then add a migration.");

    /// <summary>Leases up to <paramref name="limit"/> deliveries available at <paramref name="nowTicks"/>; returns them as updated.</summary>
    public Task<List<DeliveryRow>> LeaseAsync(
        DbContext context, string leasePrefix, string owner, long expiresTicks, long nowTicks, int limit, CancellationToken cancellationToken) =>
        context.Set<DeliveryRow>()
            .FromSqlRaw(_leaseSql, leasePrefix, owner, expiresTicks, nowTicks, limit)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

    /// <summary>Leases up to <paramref name="limit"/> members of one batch that no live lease holds; returns them as updated.</summary>
    public Task<List<DeliveryRow>> LeaseBatchAsync(
        DbContext context, string batchKey, string leasePrefix, string owner, long expiresTicks, long nowTicks, int limit, CancellationToken cancellationToken) =>
        context.Set<DeliveryRow>()
            .FromSqlRaw(_leaseBatchSql, leasePrefix, owner, expiresTicks, nowTicks, limit, batchKey)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

    /// <summary>PostgreSQL: announces work; inside a transaction it is delivered when (and only if) the transaction commits.</summary>
    public static Task NotifyAsync(DbContext context, string channel, CancellationToken cancellationToken) =>
        context.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, '')", [channel], cancellationToken);

    /// <summary>PostgreSQL: the statement that subscribes a connection to the channel (validated as an identifier at start-up).</summary>
    public static string ListenSql(string channel) => $"LISTEN {channel}";
}
