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
        nameof(DeliveryRow.LastStatusCode), nameof(DeliveryRow.CompletedAt), nameof(DeliveryRow.BatchKey), nameof(DeliveryRow.HoldReason),
    ];

    private protected RowWriter(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        Table Of(Type type) => Table.Of(context.Model.FindEntityType(type)!, sql);
        Messages = Of(typeof(MessageRow));
        Deliveries = Of(typeof(DeliveryRow));
        Queue = Of(typeof(QueueRow));
        Attempts = Of(typeof(AttemptRow));
        Bodies = Of(typeof(BodyRow));
        Feed = Of(typeof(FeedRow));
        EndedState = [.. EndedLeaseProperties.Select(Deliveries.Column)];
        QueuedId = Queue.Column(nameof(QueueRow.DeliveryId)).Name;
        QueuedLease = Queue.Column(nameof(QueueRow.LeaseId)).Name;
        AvailableAt = Queue.Column(nameof(QueueRow.AvailableAt)).Name;
        BatchKey = Queue.Column(nameof(QueueRow.BatchKey)).Name;
        OrderKey = Queue.Column(nameof(QueueRow.OrderKey)).Name;
        Requeued = string.Join(", ", new[] { nameof(QueueRow.LeaseId), nameof(QueueRow.LeaseOwner), nameof(QueueRow.LeaseExpiresAt) }
            .Select(p => $"{Queue.Column(p).Name} = NULL"));
    }

    private protected Table Messages { get; }

    private protected Table Deliveries { get; }

    private protected Table Queue { get; }

    private protected Table Attempts { get; }

    private protected Table Bodies { get; }

    private protected Table Feed { get; }

    /// <summary>
    /// The feed's columns a publish writes: all but the position, which the database numbers (and, when
    /// <paramref name="withTransaction"/> is false, the transaction id, the column's default on PostgreSQL).
    /// </summary>
    private protected Table FeedInsert(bool withTransaction) => Feed with
    {
        Columns = [.. Feed.Columns.Where(c => c.Property != nameof(FeedRow.Position) && (withTransaction || c.Property != nameof(FeedRow.Transaction)))],
    };

    /// <summary>The delivery columns ending a lease sets from the delivery's new state.</summary>
    private protected Column[] EndedState { get; }

    /// <summary>The queue's columns: delivery id, lease token, available-at and batch key.</summary>
    private protected string QueuedId { get; }

    private protected string QueuedLease { get; }

    private protected string AvailableAt { get; }

    private protected string BatchKey { get; }

    private protected string OrderKey { get; }

    /// <summary>
    /// The condition that a queue row <c>q</c> of an ordered line may not go before row <c>h</c> does: both in one line, and
    /// <c>h</c> waiting (not leased) until after <c>q</c>'s time. Pushing <c>q</c> to <c>h</c>'s time then keeps the lease
    /// statement from scanning, again and again, rows that cannot go (the line's order itself is kept by that statement).
    /// A leased <c>h</c> pushes nothing: its time is its lease expiry, and it may finish long before.
    /// </summary>
    /// <summary>
    /// The condition that queue row <c>q</c> is a later row of the line whose first, row <c>h</c> (id <paramref name="firstId"/>),
    /// went back to the queue until <paramref name="until"/>, and may move to that time too (not leased, due before it).
    /// </summary>
    private protected string FollowsFirstBackUntil(string firstId, string until) =>
        $"h.{QueuedId} = {firstId} AND h.{OrderKey} IS NOT NULL AND q.{OrderKey} = h.{OrderKey} AND q.{QueuedId} <> {firstId} " +
        $"AND q.{QueuedLease} IS NULL AND q.{AvailableAt} < {until}";

    private protected string WaitsBehind =>
        $"h.{OrderKey} = q.{OrderKey} AND h.{QueuedId} <> q.{QueuedId} AND h.{QueuedLease} IS NULL AND h.{AvailableAt} > q.{AvailableAt}";

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
    /// Atomically logs the attempts (with the bodies not stored yet) and, for each lease whose queue row still carries its token, removes the row (the
    /// delivery finished) or puts it back at its next due time, and writes the delivery's new state. Returns, for each
    /// lease, whether it was still held.
    /// </summary>
    public abstract Task<bool[]> EndLeasesAsync(DbContext context, AttemptRows attempts, IReadOnlyList<EndedLease> ends, CancellationToken cancellationToken);

    /// <summary>Appends attempts to the log in the context's current transaction (a pull read logs one per message it took).</summary>
    public abstract Task InsertAttemptsAsync(DbContext context, AttemptRows attempts, CancellationToken cancellationToken);

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
