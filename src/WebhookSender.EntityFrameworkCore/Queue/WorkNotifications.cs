using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// How dispatchers learn of new work: an in-process signal for work written by this process, and on PostgreSQL a
/// <c>LISTEN</c> on a dedicated connection for work announced by any instance with <c>NOTIFY</c>. The listener
/// reconnects with backoff when its connection drops; the dispatcher's poll covers the gap.
/// </summary>
internal sealed class WorkNotifications(
    IWebhookContextFactory contexts,
    IOptions<EntityFrameworkStoreOptions> options,
    TimeProvider timeProvider,
    ILogger<WorkNotifications> logger) : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private int _listening;
    private Task _listener = Task.CompletedTask;

    /// <summary>Wakes this process's dispatchers.</summary>
    public WorkSignal Local { get; } = new();

    private bool UsesNotifications(StoreProvider provider) => provider == StoreProvider.PostgreSql && options.Value.UseNotifications;

    /// <summary>Starts listening for other instances' announcements, once, when a dispatcher first waits.</summary>
    public void EnsureListening(StoreProvider provider)
    {
        if (UsesNotifications(provider) && Interlocked.Exchange(ref _listening, 1) == 0)
        {
            _listener = Task.Run(() => ListenAsync(_stopping.Token));
        }
    }

    /// <summary>After a store write committed: announces it to other instances (PostgreSQL) on the writer's connection.</summary>
    public Task AnnounceAsync(DbContext context, StoreProvider provider, CancellationToken cancellationToken) =>
        UsesNotifications(provider)
            ? LeaseQueries.NotifyAsync(context, options.Value.NotificationChannel, cancellationToken)
            : Task.CompletedTask;

    /// <summary>The channel a write on <paramref name="provider"/> announces its work on, or <see langword="null"/>.</summary>
    public string? ChannelFor(StoreProvider provider) => UsesNotifications(provider) ? options.Value.NotificationChannel : null;

    public void ReportAnnounceFailure(Exception exception) => Log.NotifyFailed(logger, exception);

    /// <summary>
    /// After the host committed outbox work: wakes this process at once and announces it to other instances in the
    /// background (the host's commit neither waits for nor fails because of the announcement).
    /// </summary>
    public void AnnounceCommitted(StoreProvider provider)
    {
        Local.Set();
        if (UsesNotifications(provider) && !_stopping.IsCancellationRequested)
        {
            _ = Task.Run(NotifyAsync);
        }
    }

    private async Task NotifyAsync()
    {
        try
        {
            await using var lease = await contexts.CreateAsync(_stopping.Token).ConfigureAwait(false);
            await LeaseQueries.NotifyAsync(lease.Context, options.Value.NotificationChannel, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            Log.NotifyFailed(logger, ex);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        string channel = options.Value.NotificationChannel;
        var backoff = MinBackoff;
        bool reconnecting = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // A context of the host's own configuration (and credentials), kept open as the dedicated connection.
                await using var lease = await contexts.CreateAsync(stopping).ConfigureAwait(false);
                var database = lease.Context.Database;
                await database.OpenConnectionAsync(stopping).ConfigureAwait(false);
                if (database.GetDbConnection() is not NpgsqlConnection connection)
                {
                    // A wrapped connection (a profiler, for example) cannot LISTEN: the dispatcher polls instead.
                    Log.ListenerUnavailable(logger, database.GetDbConnection().GetType().Name);
                    return;
                }

                connection.Notification += (_, _) => Local.Set();
                await using (var listen = new NpgsqlCommand(LeaseQueries.ListenSql(channel), connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                }

                Log.ListenerConnected(logger, channel);
                backoff = MinBackoff;
                if (reconnecting)
                {
                    Local.Set(); // work may have been announced while the listener was away
                }

                while (true)
                {
                    await connection.WaitAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.ListenerFailed(logger, ex, backoff);
                reconnecting = true;
                Local.Set(); // let the dispatcher poll (and meet the outage itself) rather than sleep on a dead channel
                try
                {
                    await Task.Delay(backoff, timeProvider, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
        }
    }

    /// <summary>For containers disposed synchronously: stops the listener without waiting for it.</summary>
    public void Dispose() => _stopping.Cancel();

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _listener.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        // The source is not disposed: a background announcement may still read its token.
    }
}
