using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>SQLite: in-process, so prepared statements run once per row, in one transaction, cost no round trips.</summary>
internal sealed class SqliteRowWriter(DbContext context) : RowWriter(context)
{
    /// <summary>In one transaction: one commit for all of them. SQLite has no channel to announce on.</summary>
    public override Task PublishAsync(DbContext context, IReadOnlyList<PublishRows> publishes, string? channel, CancellationToken cancellationToken) =>
        EntityFrameworkWebhookStore.InTransactionAsync(context, async () =>
        {
            await InsertAsync(context, Messages, [.. publishes.Select(p => p.Message)], cancellationToken).ConfigureAwait(false);
            await InsertAsync(context, Deliveries, [.. publishes.SelectMany(p => p.Deliveries)], cancellationToken).ConfigureAwait(false);
            var queue = publishes.SelectMany(p => p.Queue).ToList();
            await InsertAsync(context, Queue, queue, cancellationToken).ConfigureAwait(false);
            await InsertAsync(context, FeedInsert(withTransaction: true), [.. publishes.SelectMany(p => p.Feed)], cancellationToken).ConfigureAwait(false);
            if (queue.Any(q => q.OrderKey is not null))
            {
                // New rows of ordered lines whose earlier rows wait for a retry wait as long (see WaitsBehind).
                await using var push = Command(context, $"UPDATE {Queue.Name} AS q SET {AvailableAt} = h.{AvailableAt} FROM {Queue.Name} AS h WHERE q.{QueuedId} = $id AND {WaitsBehind}");
                var id = Parameter(push, "$id");
                foreach (var row in queue.Where(q => q.OrderKey is not null))
                {
                    id.Value = row.DeliveryId;
                    await push.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return true;
        }, cancellationToken);

    public override Task<bool[]> EndLeasesAsync(
        DbContext context, AttemptRows attempts, IReadOnlyList<EndedLease> ends, CancellationToken cancellationToken) =>
        EntityFrameworkWebhookStore.InTransactionAsync(context, async () =>
        {
            await InsertAttemptsAsync(context, attempts, cancellationToken).ConfigureAwait(false);
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

            // An ordered line's first, put back until later, takes the rest of its line with it (see WaitsBehind).
            await using var push = Command(context, $"UPDATE {Queue.Name} AS q SET {AvailableAt} = $available FROM {Queue.Name} AS h WHERE {FollowsFirstBackUntil("$id", "$available")}");
            var pushId = Parameter(push, "$id");
            var pushUntil = Parameter(push, "$available");
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
                    if (end.Queue is not null && end.Row.OrderKey is not null)
                    {
                        (pushId.Value, pushUntil.Value) = (end.Row.Id, end.Queue.AvailableAt);
                        await push.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            return held;
        }, cancellationToken);

    public override async Task InsertAttemptsAsync(DbContext context, AttemptRows attempts, CancellationToken cancellationToken)
    {
        // The message's other attempts may have stored the body already.
        await InsertAsync(context, Bodies, attempts.Bodies, cancellationToken, " ON CONFLICT DO NOTHING").ConfigureAwait(false);
        await InsertAsync(context, Attempts, attempts.Attempts, cancellationToken).ConfigureAwait(false);
    }

    private static async Task InsertAsync<TRow>(DbContext context, Table table, IReadOnlyList<TRow> rows, CancellationToken cancellationToken, string conflict = "")
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var command = Command(context, $"INSERT INTO {table.Name} ({table.ColumnList}) VALUES ({string.Join(", ", table.Columns.Select((_, c) => $"$p{c}"))}){conflict}");
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
