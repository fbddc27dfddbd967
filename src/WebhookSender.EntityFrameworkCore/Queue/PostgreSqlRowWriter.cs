using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace WebhookSender.EntityFrameworkCore;

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
/// hashed a scan of the whole table into every lease end, which grows slower as dead rows pile up between vacuums. So
/// the lease end runs with sequential scans, hash joins and merge joins turned off for its own transaction: the planner
/// is left with looking rows up by key, which is right for any size. The measurements are in docs/durability.md
/// ("Connections" and the lease-end plan).
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
    private readonly Table _feedInsert;
    private readonly string _insertFeed;
    private readonly string _insertAttempts;
    private readonly string _insertBodies;
    private readonly string _endLeases;
    private readonly string _pushNewInLine;

    public PostgreSqlRowWriter(DbContext context)
        : base(context)
    {
        _prepare = context.Database.GetDbConnection() is NpgsqlConnection connection
            && !new NpgsqlConnectionStringBuilder(connection.ConnectionString).Multiplexing;
        _insertMessages = Insert(Messages);
        _insertDeliveries = Insert(Deliveries);
        _insertQueue = Insert(Queue);
        _feedInsert = FeedInsert(withTransaction: false);
        _insertFeed = Insert(_feedInsert);
        _insertAttempts = Insert(Attempts);
        _insertBodies = Insert(Bodies) + " ON CONFLICT DO NOTHING"; // the message's other attempts may have stored it

        // One statement: v holds the leases (c0 delivery id, c1 token, c2 next available time or NULL once finished,
        // c3 batch key, then the delivery's new state). The queue rows still carrying their token are removed or put back,
        // returning the leases' rows from v; exactly those deliveries get their new state, and their ids are returned.
        string held = $"q.{QueuedId} = v.c0 AND q.{QueuedLease} = v.c1";
        string state = string.Join(", ", EndedState.Select((c, i) => $"{c.Name} = e.c{i + 4}"));
        string columns = string.Join(", ", Enumerable.Range(0, EndedState.Length + 4).Select(i => $"c{i}"));
        _endLeases =
            $"WITH v AS (SELECT * FROM unnest({Placeholders(EndedState.Length + 4)}) AS v({columns})), " +
            $"finished AS (DELETE FROM {Queue.Name} AS q USING v WHERE v.c2 IS NULL AND {held} RETURNING v.*), " +
            $"requeued AS (UPDATE {Queue.Name} AS q SET {AvailableAt} = v.c2, {BatchKey} = v.c3, {Requeued} FROM v WHERE v.c2 IS NOT NULL AND {held} RETURNING v.*), " +
            // An ordered line's first, put back until later, takes the rest of its line with it (see WaitsBehind).
            $"pushed AS (UPDATE {Queue.Name} AS q SET {AvailableAt} = r.c2 FROM requeued AS r, {Queue.Name} AS h WHERE {FollowsFirstBackUntil("r.c0", "r.c2")}) " +
            $"UPDATE {Deliveries.Name} AS d SET {state} " +
            $"FROM (SELECT * FROM finished UNION ALL SELECT * FROM requeued) AS e " +
            $"WHERE d.{Deliveries.Column(nameof(DeliveryRow.Id)).Name} = e.c0 RETURNING e.c0";
        _pushNewInLine = $"UPDATE {Queue.Name} AS q SET {AvailableAt} = h.{AvailableAt} FROM {Queue.Name} AS h WHERE q.{QueuedId} = ANY(@p0) AND {WaitsBehind}";
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
                if (queue.Any(q => q.OrderKey is not null))
                {
                    // New rows of ordered lines whose earlier rows wait for a retry wait as long (see WaitsBehind).
                    Add(batch, _pushNewInLine, (object)queue.Where(q => q.OrderKey is not null).Select(q => q.DeliveryId).ToArray());
                }
            }

            var feed = publishes.Count == 1 ? publishes[0].Feed : [.. publishes.SelectMany(p => p.Feed)];
            if (feed.Count > 0)
            {
                AddInsert(batch, _insertFeed, _feedInsert, feed);
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
        DbContext context, AttemptRows attempts, IReadOnlyList<EndedLease> ends, CancellationToken cancellationToken)
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
            AddAttempts(batch, attempts);

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

    public override async Task InsertAttemptsAsync(DbContext context, AttemptRows attempts, CancellationToken cancellationToken)
    {
        if (attempts.Count == 0)
        {
            return;
        }

        await using var batch = context.Database.GetDbConnection().CreateBatch();
        batch.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
        AddAttempts(batch, attempts);
        await PrepareAsync(batch, cancellationToken).ConfigureAwait(false);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private void AddAttempts(DbBatch batch, AttemptRows attempts)
    {
        if (attempts.Bodies.Count > 0)
        {
            AddInsert(batch, _insertBodies, Bodies, attempts.Bodies);
        }

        if (attempts.Count > 0)
        {
            AddInsert(batch, _insertAttempts, Attempts, attempts.Attempts);
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
