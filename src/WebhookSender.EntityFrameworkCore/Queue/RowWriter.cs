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
    // What ending a lease writes to the delivery: its new state. None of these columns is indexed (see QueueRow).
    private static readonly string[] EndedLeaseProperties =
    [
        nameof(DeliveryRow.Status), nameof(DeliveryRow.AttemptCount), nameof(DeliveryRow.DueAt), nameof(DeliveryRow.LastAttemptAt),
        nameof(DeliveryRow.LastStatusCode), nameof(DeliveryRow.CompletedAt), nameof(DeliveryRow.BatchKey),
    ];

    private protected RowWriter(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        Table Of(Type type) => Table.Of(context.Model.FindEntityType(type)!, sql);
        Messages = Of(typeof(MessageRow));
        Deliveries = Of(typeof(DeliveryRow));
        Queue = Of(typeof(QueueRow));
        Attempts = Of(typeof(AttemptRow));
        EndedState = [.. EndedLeaseProperties.Select(Deliveries.Column)];
        QueuedId = Queue.Column(nameof(QueueRow.DeliveryId)).Name;
        QueuedLease = Queue.Column(nameof(QueueRow.LeaseId)).Name;
        AvailableAt = Queue.Column(nameof(QueueRow.AvailableAt)).Name;
        BatchKey = Queue.Column(nameof(QueueRow.BatchKey)).Name;
        Requeued = string.Join(", ", new[] { nameof(QueueRow.LeaseId), nameof(QueueRow.LeaseOwner), nameof(QueueRow.LeaseExpiresAt) }
            .Select(p => $"{Queue.Column(p).Name} = NULL"));
    }

    private protected Table Messages { get; }

    private protected Table Deliveries { get; }

    private protected Table Queue { get; }

    private protected Table Attempts { get; }

    /// <summary>The delivery columns ending a lease sets from the delivery's new state.</summary>
    private protected Column[] EndedState { get; }

    /// <summary>The queue's columns: delivery id, lease token, available-at and batch key.</summary>
    private protected string QueuedId { get; }

    private protected string QueuedLease { get; }

    private protected string AvailableAt { get; }

    private protected string BatchKey { get; }

    /// <summary>The part of a SET clause that puts a queue row back without a lease (token, owner and expiry cleared).</summary>
    private protected string Requeued { get; }

    public static RowWriter For(StoreProvider provider, DbContext context) =>
        provider == StoreProvider.PostgreSql ? new PostgreSqlRowWriter(context) : new SqliteRowWriter(context);

    /// <summary>
    /// Stores messages with their deliveries and queue rows atomically (usually one; SQLite groups those queued for its
    /// writer) and, given a channel, announces them there (PostgreSQL delivers the notification when the write commits,
    /// so listeners never wake before the rows are visible).
    /// </summary>
    public abstract Task PublishAsync(DbContext context, IReadOnlyList<PublishRows> publishes, string? channel, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically logs the attempts and, for each lease whose queue row still carries its token, removes the row (the
    /// delivery finished) or puts it back at its next due time, and writes the delivery's new state. Returns, for each
    /// lease, whether it was still held.
    /// </summary>
    public abstract Task<bool[]> EndLeasesAsync(DbContext context, IReadOnlyList<AttemptRow> attempts, IReadOnlyList<EndedLease> ends, CancellationToken cancellationToken);

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
/// <para>
/// A generic plan is made once per connection, without the values and while the tables are as they are then, and kept
/// until their statistics change. Ending leases joins the queue table, and its plan, made while that table was small,
/// hashed a scan of the whole table into every lease end. Under load the queue table fills with dead rows between
/// vacuums: in the load test that plan read 690–1,250 pages per lease end (1.6–2.9 ms) where looking each row up by its
/// key reads 270–300 (0.5–0.6 ms). So the lease end runs with sequential scans, hash joins and merge joins turned off
/// for its own transaction: the planner is left with looking rows up by key, which is right for any size. (Planning it
/// for its values every time also finds that plan, but costs 0.4–0.5 ms of planning per lease end.)
/// </para>
/// </summary>
internal sealed class PostgreSqlRowWriter : RowWriter
{
    // Turns the planner's other choices off until the batch's implicit transaction ends (set_config's third argument).
    private const string KeyLookupsOnly =
        "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)";

    // Npgsql refuses explicit preparation on multiplexed connections; there the statements run unprepared, as before.
    private readonly bool _prepare;
    private readonly string _insertMessages;
    private readonly string _insertDeliveries;
    private readonly string _insertQueue;
    private readonly string _insertAttempts;
    private readonly string _endLeases;

    public PostgreSqlRowWriter(DbContext context)
        : base(context)
    {
        _prepare = context.Database.GetDbConnection() is NpgsqlConnection connection
            && !new NpgsqlConnectionStringBuilder(connection.ConnectionString).Multiplexing;
        _insertMessages = Insert(Messages);
        _insertDeliveries = Insert(Deliveries);
        _insertQueue = Insert(Queue);
        _insertAttempts = Insert(Attempts);

        // One statement: v holds the leases (c0 delivery id, c1 token, c2 next available time or NULL once finished,
        // c3 batch key, then the delivery's new state). The queue rows still carrying their token are removed or put back,
        // returning the leases' rows from v; exactly those deliveries get their new state, and their ids are returned.
        string held = $"q.{QueuedId} = v.c0 AND q.{QueuedLease} = v.c1";
        string state = string.Join(", ", EndedState.Select((c, i) => $"{c.Name} = e.c{i + 4}"));
        string columns = string.Join(", ", Enumerable.Range(0, EndedState.Length + 4).Select(i => $"c{i}"));
        _endLeases =
            $"WITH v AS (SELECT * FROM unnest({Placeholders(EndedState.Length + 4)}) AS v({columns})), " +
            $"finished AS (DELETE FROM {Queue.Name} AS q USING v WHERE v.c2 IS NULL AND {held} RETURNING v.*), " +
            $"requeued AS (UPDATE {Queue.Name} AS q SET {AvailableAt} = v.c2, {BatchKey} = v.c3, {Requeued} FROM v WHERE v.c2 IS NOT NULL AND {held} RETURNING v.*) " +
            $"UPDATE {Deliveries.Name} AS d SET {state} " +
            $"FROM (SELECT * FROM finished UNION ALL SELECT * FROM requeued) AS e " +
            $"WHERE d.{Deliveries.Column(nameof(DeliveryRow.Id)).Name} = e.c0 RETURNING e.c0";
    }

    public override async Task PublishAsync(DbContext context, IReadOnlyList<PublishRows> publishes, string? channel, CancellationToken cancellationToken)
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

            var queue = publishes.Count == 1 ? publishes[0].Queue : [.. publishes.SelectMany(p => p.Queue)];
            if (queue.Count > 0)
            {
                AddInsert(batch, _insertQueue, Queue, queue);
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
        DbContext context, IReadOnlyList<AttemptRow> attempts, IReadOnlyList<EndedLease> ends, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var batch = context.Database.GetDbConnection().CreateBatch();

            // Key lookups only (see the class remarks), for this batch's transaction; then the lease ends, whose RETURNING
            // rows are the reader's second result.
            Add(batch, KeyLookupsOnly);
            var values = new object[EndedState.Length + 4];
            values[0] = ends.Select(e => e.Row.Id).ToArray();
            values[1] = ends.Select(e => e.LeaseId).ToArray();
            values[2] = ends.Select(e => e.Queue?.AvailableAt).ToArray();
            values[3] = ends.Select(e => e.Queue?.BatchKey).ToArray();
            for (int c = 0; c < EndedState.Length; c++)
            {
                var column = EndedState[c];
                values[c + 4] = ArrayOf(column, ends.Count, i => ends[i].Row);
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
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
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
    public override Task PublishAsync(DbContext context, IReadOnlyList<PublishRows> publishes, string? channel, CancellationToken cancellationToken) =>
        EntityFrameworkWebhookStore.InTransactionAsync(context, async () =>
        {
            await InsertAsync(context, Messages, [.. publishes.Select(p => p.Message)], cancellationToken).ConfigureAwait(false);
            await InsertAsync(context, Deliveries, [.. publishes.SelectMany(p => p.Deliveries)], cancellationToken).ConfigureAwait(false);
            await InsertAsync(context, Queue, [.. publishes.SelectMany(p => p.Queue)], cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public override Task<bool[]> EndLeasesAsync(
        DbContext context, IReadOnlyList<AttemptRow> attempts, IReadOnlyList<EndedLease> ends, CancellationToken cancellationToken) =>
        EntityFrameworkWebhookStore.InTransactionAsync(context, async () =>
        {
            await InsertAsync(context, Attempts, attempts, cancellationToken).ConfigureAwait(false);
            string stillHeld = $"WHERE {QueuedId} = $id AND {QueuedLease} = $lease";
            await using var finish = Command(context, $"DELETE FROM {Queue.Name} {stillHeld}");
            await using var requeue = Command(context, $"UPDATE {Queue.Name} SET {AvailableAt} = $available, {BatchKey} = $batch, {Requeued} {stillHeld}");
            await using var update = Command(context,
                $"UPDATE {Deliveries.Name} SET {string.Join(", ", EndedState.Select((c, i) => $"{c.Name} = $p{i}"))} " +
                $"WHERE {Deliveries.Column(nameof(DeliveryRow.Id)).Name} = $id");
            var ids = new[] { Parameter(finish, "$id"), Parameter(requeue, "$id"), Parameter(update, "$id") };
            var leases = new[] { Parameter(finish, "$lease"), Parameter(requeue, "$lease") };
            var available = Parameter(requeue, "$available");
            var batchKey = Parameter(requeue, "$batch");
            var values = EndedState.Select((_, i) => Parameter(update, $"$p{i}")).ToArray();
            var held = new bool[ends.Count];
            for (int e = 0; e < ends.Count; e++)
            {
                var end = ends[e];
                Array.ForEach(ids, p => p.Value = end.Row.Id);
                Array.ForEach(leases, p => p.Value = end.LeaseId);
                available.Value = end.Queue?.AvailableAt ?? (object)DBNull.Value;
                batchKey.Value = end.Queue?.BatchKey ?? (object)DBNull.Value;
                held[e] = await (end.Queue is null ? finish : requeue).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
                if (held[e])
                {
                    for (int c = 0; c < values.Length; c++)
                    {
                        values[c].Value = EndedState[c].Read(end.Row) ?? DBNull.Value;
                    }

                    await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
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
