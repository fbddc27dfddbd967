using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// The hot path's writes in plain SQL: storing a published message with its deliveries, and ending leases with their
/// attempts. EF Core's SaveChanges costs kilobytes of allocations and tens of microseconds per row, and a round trip per
/// step of a transaction; these cost a fraction. Tables and columns come from the host's model, so renamed or
/// schema-qualified tables work. PostgreSQL gets each write as one batch (one round trip, atomic as PostgreSQL runs a
/// batch in one implicit transaction) with a column of arrays per table (constant SQL, any number of rows); SQLite,
/// which runs in-process, a transaction of prepared statements run once per row.
/// </summary>
internal abstract class RowWriter
{
    // What ending a lease writes: the delivery's state and its queue position (NULL once finished); the lease is cleared.
    private static readonly string[] EndedLeaseProperties =
    [
        nameof(DeliveryRow.Status), nameof(DeliveryRow.AttemptCount), nameof(DeliveryRow.DueAt), nameof(DeliveryRow.LastAttemptAt),
        nameof(DeliveryRow.LastStatusCode), nameof(DeliveryRow.CompletedAt), nameof(DeliveryRow.BatchKey), nameof(DeliveryRow.AvailableAt),
    ];

    private protected RowWriter(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        Table Of(Type type) => Table.Of(context.Model.FindEntityType(type)!, sql);
        Messages = Of(typeof(MessageRow));
        Deliveries = Of(typeof(DeliveryRow));
        Attempts = Of(typeof(AttemptRow));
        EndedLease = [.. EndedLeaseProperties.Select(Deliveries.Column)];
        ClearedLease = string.Join(", ", new[] { nameof(DeliveryRow.LeaseId), nameof(DeliveryRow.LeaseOwner), nameof(DeliveryRow.LeaseExpiresAt) }
            .Select(p => $"{Deliveries.Column(p).Name} = NULL"));
    }

    private protected Table Messages { get; }

    private protected Table Deliveries { get; }

    private protected Table Attempts { get; }

    /// <summary>The columns ending a lease sets from the delivery's new state.</summary>
    private protected Column[] EndedLease { get; }

    /// <summary>The SET clause that clears the lease token, owner and expiry.</summary>
    private protected string ClearedLease { get; }

    public static RowWriter For(StoreProvider provider, DbContext context) =>
        provider == StoreProvider.PostgreSql ? new PostgreSqlRowWriter(context) : new SqliteRowWriter(context);

    /// <summary>
    /// Stores messages with their deliveries atomically (usually one; SQLite groups those queued for its writer) and,
    /// given a channel, announces them there (PostgreSQL delivers the notification when the write commits, so listeners
    /// never wake before the rows are visible).
    /// </summary>
    public abstract Task PublishAsync(
        DbContext context, IReadOnlyList<(MessageRow Message, IReadOnlyList<DeliveryRow> Deliveries)> publishes, string? channel, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically logs the attempts and writes each delivery's new state where the row still carries its lease token.
    /// Returns, for each delivery, whether it did.
    /// </summary>
    public abstract Task<bool[]> EndLeasesAsync(
        DbContext context, IReadOnlyList<AttemptRow> attempts, IReadOnlyList<(DeliveryRow Row, string LeaseId)> ends, CancellationToken cancellationToken);

    /// <summary>A mapped column: its delimited name, its type, and how to read it from a row.</summary>
    internal sealed record Column(string Name, string Property, Type ClrType, Func<object?, object?> Read);

    /// <summary>A mapped table: its delimited (schema-qualified) name and its columns.</summary>
    internal sealed record Table(string Name, Column[] Columns)
    {
        public static Table Of(IEntityType entity, ISqlGenerationHelper sql)
        {
            var storeObject = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var columns = entity.GetProperties()
                .Select(p => new Column(sql.DelimitIdentifier(p.GetColumnName(storeObject)!), p.Name, p.ClrType, p.PropertyInfo!.GetValue))
                .ToArray();
            return new Table(sql.DelimitIdentifier(storeObject.Name, storeObject.Schema), columns);
        }

        public Column Column(string property) => Columns.Single(c => c.Property == property);

        public string ColumnList => string.Join(", ", Columns.Select(c => c.Name));
    }
}

/// <summary>
/// PostgreSQL: one batch per write; every column's values in one array parameter, unnested into rows. Each statement is
/// prepared: Npgsql keeps it prepared on the physical connection (its pool reset then skips <c>DEALLOCATE</c>), so
/// PostgreSQL parses it once per connection and, once its plan cache settles on the generic plan (after five runs),
/// stops planning it; after the first time, preparing is a lookup. The SQL is constant and each parameter's type follows
/// from its CLR type (<c>long?[]</c> is <c>bigint[]</c>, <c>string</c> is <c>text</c>…), so a call never finds its
/// statement prepared for other types.
/// </summary>
internal sealed class PostgreSqlRowWriter : RowWriter
{
    // Npgsql refuses explicit preparation on multiplexed connections; there the statements run unprepared, as before.
    private readonly bool _prepare;
    private readonly string _insertMessages;
    private readonly string _insertDeliveries;
    private readonly string _insertAttempts;
    private readonly string _endLeases;

    public PostgreSqlRowWriter(DbContext context)
        : base(context)
    {
        _prepare = context.Database.GetDbConnection() is NpgsqlConnection connection
            && !new NpgsqlConnectionStringBuilder(connection.ConnectionString).Multiplexing;
        _insertMessages = Insert(Messages);
        _insertDeliveries = Insert(Deliveries);
        _insertAttempts = Insert(Attempts);
        string id = Deliveries.Column(nameof(DeliveryRow.Id)).Name;
        string leaseId = Deliveries.Column(nameof(DeliveryRow.LeaseId)).Name;
        string values = string.Join(", ", EndedLease.Select((_, i) => $"c{i + 2}"));
        _endLeases =
            $"UPDATE {Deliveries.Name} AS d SET {string.Join(", ", EndedLease.Select((c, i) => $"{c.Name} = v.c{i + 2}"))}, {ClearedLease} " +
            $"FROM unnest({Placeholders(EndedLease.Length + 2)}) AS v(c0, c1, {values}) " +
            $"WHERE d.{id} = v.c0 AND d.{leaseId} = v.c1 RETURNING d.{id}";
    }

    public override async Task PublishAsync(
        DbContext context, IReadOnlyList<(MessageRow Message, IReadOnlyList<DeliveryRow> Deliveries)> publishes, string? channel, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var batch = context.Database.GetDbConnection().CreateBatch();
            AddInsert(batch, _insertMessages, Messages, [.. publishes.Select(p => p.Message)]);
            var deliveries = publishes.Count == 1 ? publishes[0].Deliveries : [.. publishes.SelectMany(p => p.Deliveries)];
            if (deliveries.Count > 0)
            {
                AddInsert(batch, _insertDeliveries, Deliveries, deliveries);
            }

            if (channel is not null)
            {
                Add(batch, "SELECT pg_notify(@p0, '')", channel);
            }

            await PrepareAsync(batch, cancellationToken).ConfigureAwait(false);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    public override async Task<bool[]> EndLeasesAsync(
        DbContext context, IReadOnlyList<AttemptRow> attempts, IReadOnlyList<(DeliveryRow Row, string LeaseId)> ends, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var batch = context.Database.GetDbConnection().CreateBatch();

            // The update first, so its RETURNING rows are the reader's first result.
            var values = new object[EndedLease.Length + 2];
            values[0] = ends.Select(e => e.Row.Id).ToArray();
            values[1] = ends.Select(e => e.LeaseId).ToArray();
            for (int c = 0; c < EndedLease.Length; c++)
            {
                var column = EndedLease[c];
                values[c + 2] = ArrayOf(column, ends.Count, i => ends[i].Row);
            }

            Add(batch, _endLeases, values);
            if (attempts.Count > 0)
            {
                AddInsert(batch, _insertAttempts, Attempts, attempts);
            }

            await PrepareAsync(batch, cancellationToken).ConfigureAwait(false);
            var written = new HashSet<string>(StringComparer.Ordinal);
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    written.Add(reader.GetString(0));
                }
            }

            return [.. ends.Select(e => written.Contains(e.Row.Id))];
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private Task PrepareAsync(DbBatch batch, CancellationToken cancellationToken) =>
        _prepare ? batch.PrepareAsync(cancellationToken) : Task.CompletedTask;

    private static string Insert(Table table) => $"INSERT INTO {table.Name} ({table.ColumnList}) SELECT * FROM unnest({Placeholders(table.Columns.Length)})";

    private static string Placeholders(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"@p{i}"));

    private static void AddInsert<TRow>(DbBatch batch, string sql, Table table, IReadOnlyList<TRow> rows) =>
        Add(batch, sql, [.. table.Columns.Select(column => ArrayOf(column, rows.Count, i => rows[i]))]);

    private static void Add(DbBatch batch, string sql, params object[] values)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        for (int i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"p{i}";
            parameter.Value = values[i];
            command.Parameters.Add(parameter);
        }

        batch.BatchCommands.Add(command);
    }

    /// <summary>A typed array (<c>long?[]</c>, <c>string[]</c>…) of one column, which Npgsql sends as a PostgreSQL array.</summary>
    private static Array ArrayOf(Column column, int length, Func<int, object?> row)
    {
        var array = Array.CreateInstance(column.ClrType, length);
        for (int i = 0; i < length; i++)
        {
            array.SetValue(column.Read(row(i)), i);
        }

        return array;
    }
}

/// <summary>SQLite: in-process, so prepared statements run once per row, in one transaction, cost no round trips.</summary>
internal sealed class SqliteRowWriter(DbContext context) : RowWriter(context)
{
    /// <summary>In one transaction: one commit for all of them. SQLite has no channel to announce on.</summary>
    public override Task PublishAsync(
        DbContext context, IReadOnlyList<(MessageRow Message, IReadOnlyList<DeliveryRow> Deliveries)> publishes, string? channel, CancellationToken cancellationToken) =>
        EntityFrameworkWebhookStore.InTransactionAsync(context, async () =>
        {
            await InsertAsync(context, Messages, [.. publishes.Select(p => p.Message)], cancellationToken).ConfigureAwait(false);
            await InsertAsync(context, Deliveries, [.. publishes.SelectMany(p => p.Deliveries)], cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public override Task<bool[]> EndLeasesAsync(
        DbContext context, IReadOnlyList<AttemptRow> attempts, IReadOnlyList<(DeliveryRow Row, string LeaseId)> ends, CancellationToken cancellationToken) =>
        EntityFrameworkWebhookStore.InTransactionAsync(context, async () =>
        {
            await InsertAsync(context, Attempts, attempts, cancellationToken).ConfigureAwait(false);
            string sql =
                $"UPDATE {Deliveries.Name} SET {string.Join(", ", EndedLease.Select((c, i) => $"{c.Name} = $p{i}"))}, {ClearedLease} " +
                $"WHERE {Deliveries.Column(nameof(DeliveryRow.Id)).Name} = $id AND {Deliveries.Column(nameof(DeliveryRow.LeaseId)).Name} = $lease";
            await using var command = Command(context, sql);
            var values = EndedLease.Select((_, i) => Parameter(command, $"$p{i}")).ToArray();
            var id = Parameter(command, "$id");
            var lease = Parameter(command, "$lease");
            var held = new bool[ends.Count];
            for (int e = 0; e < ends.Count; e++)
            {
                for (int c = 0; c < values.Length; c++)
                {
                    values[c].Value = EndedLease[c].Read(ends[e].Row) ?? DBNull.Value;
                }

                id.Value = ends[e].Row.Id;
                lease.Value = ends[e].LeaseId;
                held[e] = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            }

            return held;
        }, cancellationToken);

    private static async Task InsertAsync<TRow>(DbContext context, Table table, IReadOnlyList<TRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var command = Command(context, $"INSERT INTO {table.Name} ({table.ColumnList}) VALUES ({string.Join(", ", table.Columns.Select((_, c) => $"$p{c}"))})");
        var parameters = table.Columns.Select((_, c) => Parameter(command, $"$p{c}")).ToArray();
        foreach (var row in rows)
        {
            for (int c = 0; c < parameters.Length; c++)
            {
                parameters[c].Value = table.Columns[c].Read(row) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A command on the context's connection, in its current transaction.</summary>
    private static DbCommand Command(DbContext context, string sql)
    {
        var command = context.Database.GetDbConnection().CreateCommand();
        command.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
