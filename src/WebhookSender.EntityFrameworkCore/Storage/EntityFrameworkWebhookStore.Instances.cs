using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore
{
    /// <summary>Cancelled when this instance's heartbeat can no longer vouch for its leases (see <see cref="LeaseFence"/>).</summary>
    public CancellationToken LeasesLost => _fence.LeasesLost;

    /// <summary>Registers this instance (a new <paramref name="incarnation"/>); false when a row with its id exists already.</summary>
    internal Task<bool> RegisterInstanceAsync(string incarnation, CancellationToken cancellationToken) =>
        InstanceWriteAsync("registering this instance", (queries, context) => queries.RegisterAsync(context, _options.InstanceId, incarnation, cancellationToken), cancellationToken);

    /// <summary>Renews this instance's heartbeat; false when its registration is gone.</summary>
    internal Task<bool> BeatAsync(string incarnation, CancellationToken cancellationToken) =>
        InstanceWriteAsync("renewing this instance's heartbeat", (queries, context) => queries.BeatAsync(context, _options.InstanceId, incarnation, cancellationToken), cancellationToken);

    /// <summary>The instances (this one included, if so) whose heartbeat is older than <see cref="EntityFrameworkStoreOptions.InstanceTimeout"/>.</summary>
    internal Task<List<string>> StaleInstancesAsync(CancellationToken cancellationToken) =>
        GuardAsync("looking for instances without a heartbeat", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await Queries(lease.Context).Instances.StaleAsync(lease.Context, _options.InstanceTimeout, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>
    /// Removes a silent instance's registration and, in the same transaction, makes the deliveries it leased due now
    /// without a lease. Returns how many, or <see langword="null"/> when it beat meanwhile (or another instance was first).
    /// </summary>
    internal async Task<int?> TakeOverAsync(string instanceId, CancellationToken cancellationToken) =>
        Announced(await InstanceWriteAsync($"taking over the deliveries of instance '{instanceId}'", (queries, context) =>
            InTransactionAsync(context, async () =>
                await queries.RemoveStaleAsync(context, instanceId, _options.InstanceTimeout, cancellationToken).ConfigureAwait(false)
                    ? await VoidLeasesAsync(queries, context, instanceId, cancellationToken).ConfigureAwait(false)
                    : (int?)null,
                cancellationToken),
            cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// The host stops: removes this instance's registration and makes what it still holds due now (its dispatcher has
    /// stopped and put back what it could), so nobody waits for its heartbeat to go stale.
    /// </summary>
    internal async Task<int?> DeregisterInstanceAsync(string incarnation, CancellationToken cancellationToken) =>
        Announced(await InstanceWriteAsync("removing this instance's registration", (queries, context) =>
            InTransactionAsync(context, async () =>
                await queries.RemoveOwnAsync(context, _options.InstanceId, incarnation, cancellationToken).ConfigureAwait(false)
                    ? await VoidLeasesAsync(queries, context, _options.InstanceId, cancellationToken).ConfigureAwait(false)
                    : (int?)null,
                cancellationToken),
            cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// After this instance lost its leases and vouches again: makes the deliveries it still held (their releases may have
    /// failed, as its heartbeat did) due now. Nothing runs under them any more: the dispatcher cut those attempts.
    /// </summary>
    internal async Task<int> ReleaseOwnLeasesAsync(CancellationToken cancellationToken) =>
        Announced(await InstanceWriteAsync(
            "releasing this instance's earlier leases",
            (queries, context) => VoidLeasesAsync(queries, context, _options.InstanceId, cancellationToken),
            cancellationToken).ConfigureAwait(false)) ?? 0;

    private Task<int> VoidLeasesAsync(InstanceQueries queries, DbContext context, string owner, CancellationToken cancellationToken) =>
        queries.VoidLeasesAsync(context, owner, RowMapping.Ticks(_timeProvider.GetUtcNow()), cancellationToken);

    /// <summary>After a commit that made deliveries due: wakes this process's dispatcher and, on PostgreSQL, the other instances'.</summary>
    private int? Announced(int? due)
    {
        if (due > 0 && _queries is { } queries)
        {
            _notifications.AnnounceCommitted(queries.Provider);
        }

        return due;
    }

    private Task<T> InstanceWriteAsync<T>(string operation, Func<InstanceQueries, DbContext, Task<T>> write, CancellationToken cancellationToken) =>
        GuardAsync(operation, async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var queries = Queries(lease.Context).Instances;
            return await WriteAsync(lease.Context, () => write(queries, lease.Context), cancellationToken).ConfigureAwait(false);
        });
}
