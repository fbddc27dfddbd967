using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Registers this instance in <c>webhook_instances</c>, renews its heartbeat every
/// <see cref="EntityFrameworkStoreOptions.HeartbeatInterval"/>, and takes over the leased deliveries of instances whose
/// heartbeat is older than <see cref="EntityFrameworkStoreOptions.InstanceTimeout"/> (crashed, killed, cut off), so they
/// are sent within seconds instead of when their leases expire. Each successful heartbeat lets <see cref="LeaseFence"/>
/// vouch for this instance's leases a little longer. A lifecycle service: it stops beating only after every hosted
/// service (the dispatcher too) has stopped, so attempts finishing during shutdown stay vouched for.
/// </summary>
internal sealed class InstanceHeartbeat(
    EntityFrameworkWebhookStore store,
    LeaseFence fence,
    IOptions<EntityFrameworkStoreOptions> options,
    TimeProvider timeProvider,
    ILogger<InstanceHeartbeat> logger) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    // This process's registration: a fresh token every time it registers, so it never renews a row it does not own. The
    // candidate is kept until a registration succeeds: an insert whose reply was lost may have stored it.
    private string? _incarnation;
    private string _candidate = NewIncarnation();
    private bool _failing;
    private bool _idInUse;

    private EntityFrameworkStoreOptions Settings => options.Value;

    /// <summary>
    /// Before any hosted service starts (the dispatcher among them): from now on the store leases only while a heartbeat
    /// vouches, so no lease is ever taken under a token that cannot be cancelled.
    /// </summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        fence.Enable();
        return Task.CompletedTask;
    }

    /// <summary>The first heartbeat runs at once, in the background; the dispatcher waits for it.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        fence.Enable();
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Beating goes on while the dispatcher stops and its last attempts save their outcomes.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Everything has stopped: stop beating and vouching, and deregister, giving back what is still held.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        fence.Close();
        if (_incarnation is not { } incarnation)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Settings.InstanceTimeout);
        try
        {
            await store.DeregisterInstanceAsync(incarnation, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Stopping goes on: the others take this instance's deliveries over once its heartbeat is stale.
            Log.HeartbeatFailed(logger, ex, Settings.InstanceId, Settings.HeartbeatInterval);
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            long started = timeProvider.GetTimestamp();
            try
            {
                // A beat that cannot finish within the window could vouch for nothing anyway.
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                beat.CancelAfter(fence.Window);
                await BeatAsync(started, beat.Token).ConfigureAwait(false);
                _failing = false;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                ReportFailure(ex);
            }

            var wait = Settings.HeartbeatInterval - timeProvider.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, timeProvider, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One heartbeat: renew (or register) this instance, let the fence vouch from <paramref name="started"/>, take over silent instances.</summary>
    private async Task BeatAsync(long started, CancellationToken cancellationToken)
    {
        await RenewAsync(started, cancellationToken).ConfigureAwait(false);

        foreach (string silent in await store.StaleInstancesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await store.TakeOverAsync(silent, cancellationToken).ConfigureAwait(false) is { } deliveries)
            {
                Log.InstanceTakenOver(logger, silent, Settings.InstanceTimeout, Settings.InstanceId, deliveries);
                if (silent == Settings.InstanceId && _incarnation is null)
                {
                    // The stale registration under this instance's id (its former self's): registering works now.
                    await RenewAsync(started, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task RenewAsync(long started, CancellationToken cancellationToken)
    {
        if (_incarnation is { } incarnation)
        {
            if (await store.BeatAsync(incarnation, cancellationToken).ConfigureAwait(false))
            {
                if (!fence.Renew(started, regain: false))
                {
                    // Registered all along, but this instance stopped vouching: what it held then (and could not put back,
                    // if the database failed as the heartbeat did) is due now, before new leases are vouched for.
                    int released = await store.ReleaseOwnLeasesAsync(cancellationToken).ConfigureAwait(false);
                    Log.OwnLeasesReleased(logger, Settings.InstanceId, released);
                    fence.Renew(started, regain: true);
                }

                return;
            }

            // Another instance found this one silent for InstanceTimeout and took its deliveries over.
            _incarnation = null;
            fence.Lose();
            Log.InstanceDeclaredDead(logger, Settings.InstanceId);
        }

        if (await store.RegisterInstanceAsync(_candidate, cancellationToken).ConfigureAwait(false)
            || await store.BeatAsync(_candidate, cancellationToken).ConfigureAwait(false))
        {
            _incarnation = _candidate;
            _candidate = NewIncarnation();
            _idInUse = false;

            // A new registration holds nothing from before: whoever removed the old one took its deliveries over.
            fence.Renew(started, regain: true);
        }
        else if (!_idInUse)
        {
            _idInUse = true;
            Log.InstanceIdInUse(logger, Settings.InstanceId);
        }
    }

    private static string NewIncarnation() => Guid.NewGuid().ToString("N");

    /// <summary>Logs the first failure of a row; the fence says when the leases are lost and regained.</summary>
    private void ReportFailure(Exception exception)
    {
        if (_failing)
        {
            return;
        }

        _failing = true;
        if (IsMissingTable(exception))
        {
            Log.HeartbeatTableMissing(logger, exception, TableNames.Instances, Settings.InstanceId);
        }
        else
        {
            Log.HeartbeatFailed(logger, exception, Settings.InstanceId, Settings.HeartbeatInterval);
        }
    }

    /// <summary>A database without the table (not migrated since upgrading): PostgreSQL's undefined_table, SQLite's message.</summary>
    private static bool IsMissingTable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException db && (db.SqlState == "42P01" || db.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _stopping.Dispose();
}
