using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// The heartbeat's statements on <c>webhook_instances</c>, and taking a silent instance's leases over. Heartbeat times
/// come from the database's clock (UTC ticks, like every time column of the package), so only the database decides how
/// long an instance has been silent, whatever the instances' clocks say. They run through EF Core (not on the raw
/// connection), so the host's interceptors see them like the store's other reads.
/// </summary>
internal sealed class InstanceQueries
{
    private readonly string _register;
    private readonly string _beat;
    private readonly string _stale;
    private readonly string _remove;
    private readonly string _removeOwn;
    private readonly string _voidLeases;

    public InstanceQueries(DbContext context, StoreProvider provider)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        var instances = RowWriter.Table.Of(context.Model.FindEntityType(typeof(InstanceRow)) ?? throw LeaseQueries.MissingModel(context), sql);
        var queue = RowWriter.Table.Of(context.Model.FindEntityType(typeof(QueueRow))!, sql);
        string Column(RowWriter.Table table, string property) => table.Column(property).Name;
        string id = Column(instances, nameof(InstanceRow.Id));
        string incarnation = Column(instances, nameof(InstanceRow.Incarnation));
        string heartbeat = Column(instances, nameof(InstanceRow.HeartbeatAt));
        string available = Column(queue, nameof(QueueRow.AvailableAt));
        string owner = Column(queue, nameof(QueueRow.LeaseOwner));
        string leaseId = Column(queue, nameof(QueueRow.LeaseId));

        // The database's clock in UTC ticks (0001-01-01 is Julian day 1721425.5 and 621355968000000000 ticks before 1970).
        string now = provider == StoreProvider.PostgreSql
            ? "(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 10000000 AS bigint) + 621355968000000000)"
            : "CAST((julianday('now') - 1721425.5) * 864000000000 AS INTEGER)";

        _register =
            $"INSERT INTO {instances.Name} ({id}, {incarnation}, {Column(instances, nameof(InstanceRow.StartedAt))}, {heartbeat}) " +
            $"VALUES ({{0}}, {{1}}, {now}, {now}) ON CONFLICT ({id}) DO NOTHING";
        _beat = $"UPDATE {instances.Name} SET {heartbeat} = {now} WHERE {id} = {{0}} AND {incarnation} = {{1}}";
        _stale = $"SELECT {id} AS {sql.DelimitIdentifier("Value")} FROM {instances.Name} WHERE {heartbeat} < {now} - {{0}}";

        // Checked again as the row is removed: an instance that beat since the look keeps its registration and its leases.
        _remove = $"DELETE FROM {instances.Name} WHERE {id} = {{0}} AND {heartbeat} < {now} - {{1}}";
        _removeOwn = $"DELETE FROM {instances.Name} WHERE {id} = {{0}} AND {incarnation} = {{1}}";

        // The leases of an instance that can no longer hold them: their rows are available now (or at their due time, if
        // earlier) with no lease, so a late lease end from their holder matches nothing. No index serves lease_owner, and
        // none should: every lease and lease end would write it, and this runs only when an instance died or stops.
        _voidLeases =
            $"UPDATE {queue.Name} SET {available} = CASE WHEN {available} > {{1}} THEN {{1}} ELSE {available} END, " +
            $"{leaseId} = NULL, {owner} = NULL, {Column(queue, nameof(QueueRow.LeaseExpiresAt))} = NULL " +
            $"WHERE {owner} = {{0}} AND {leaseId} IS NOT NULL";
    }

    /// <summary>Registers the instance with a fresh heartbeat; false when a row with its id exists already.</summary>
    public async Task<bool> RegisterAsync(DbContext context, string instanceId, string incarnation, CancellationToken cancellationToken) =>
        await context.Database.ExecuteSqlRawAsync(_register, [instanceId, incarnation], cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>Renews the heartbeat; false when the registration is gone (another instance found it stale and removed it).</summary>
    public async Task<bool> BeatAsync(DbContext context, string instanceId, string incarnation, CancellationToken cancellationToken) =>
        await context.Database.ExecuteSqlRawAsync(_beat, [instanceId, incarnation], cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>The instances whose last heartbeat is older than <paramref name="timeout"/> by the database's clock.</summary>
    public Task<List<string>> StaleAsync(DbContext context, TimeSpan timeout, CancellationToken cancellationToken) =>
        context.Database.SqlQueryRaw<string>(_stale, timeout.Ticks).ToListAsync(cancellationToken);

    /// <summary>Removes a registration if it is still stale; false when it beat meanwhile (or is gone already).</summary>
    public async Task<bool> RemoveStaleAsync(DbContext context, string instanceId, TimeSpan timeout, CancellationToken cancellationToken) =>
        await context.Database.ExecuteSqlRawAsync(_remove, [instanceId, timeout.Ticks], cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>Removes this process's own registration; false when it was gone already.</summary>
    public async Task<bool> RemoveOwnAsync(DbContext context, string instanceId, string incarnation, CancellationToken cancellationToken) =>
        await context.Database.ExecuteSqlRawAsync(_removeOwn, [instanceId, incarnation], cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>Makes the deliveries leased by <paramref name="owner"/> available at <paramref name="nowTicks"/>, unleased; returns how many.</summary>
    public Task<int> VoidLeasesAsync(DbContext context, string owner, long nowTicks, CancellationToken cancellationToken) =>
        context.Database.ExecuteSqlRawAsync(_voidLeases, [owner, nowTicks], cancellationToken);
}
