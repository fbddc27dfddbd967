using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// The background loop: takes due deliveries up to the concurrency limit (those this process published, handed over already
/// leased, and those it leases from the store) and runs each through <see cref="DeliveryProcessor"/>. Store outages are
/// logged and retried with backoff; the loop never dies of them.
/// </summary>
internal sealed class WebhookDispatcher(
    IDeliveryQueue queue,
    LocalDeliveries local,
    DeliveryProcessor processor,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReleaseGrace = TimeSpan.FromSeconds(2);

    // While deliveries handed over locally keep every slot busy, the store is still asked this often: retries due there and
    // work other instances published must not wait behind a stream of local publishes.
    private static readonly TimeSpan StoreLookInterval = TimeSpan.FromSeconds(1);

    // Attempts in flight keep running after the loop stops, until the host's shutdown timeout cancels them.
    private readonly CancellationTokenSource _attemptsCancellation = new();

    // Attempts running; when the loop has stopped, the last to finish completes _allDone.
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _stopped;

    // When the loop last leased from the store (a TimeProvider timestamp).
    private long _lastStoreLook;

    // The store's LeasesLost token when deliveries handed over here were last taken.
    private CancellationToken _handedOverUnder;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Here, not in ExecuteAsync (which runs on the thread pool later): publishes right after the host starts hand over too.
        if (options.Value.LocalHandoff)
        {
            local.Open(options.Value.MaxConcurrency * 2);
        }

        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Returns when the loop and the attempts in flight are done, or when the host's shutdown timeout fires.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        if (ExecuteTask is { IsCompleted: false } running)
        {
            // Cut off by the timeout: cancel the attempts and give them a moment to put their deliveries back in the
            // queue, so they are sent after a restart instead of when their lease lapses.
            await _attemptsCancellation.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(running, Task.Delay(ReleaseGrace, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _attemptsCancellation.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        Log.DispatcherStarted(logger, settings.MaxConcurrency);
        using var slots = new SemaphoreSlim(settings.MaxConcurrency, settings.MaxConcurrency);
        var backoff = MinBackoff;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                if (stoppingToken.IsCancellationRequested)
                {
                    // SemaphoreSlim can still grant a wait cancelled by the stop when a slot is given back before the
                    // cancelled wait has run its clean-up (under load, an attempt cut off by the shutdown timeout). Stopping
                    // starts nothing new: without this, a delivery waiting here was sent after the stop (a CI failure).
                    slots.Release();
                    break;
                }

                int held = 1;
                try
                {
                    int wanted = slots.CurrentCount + 1;

                    // Read before leasing: what is leased now runs under it, even if the store lost and regained its leases since.
                    var leasesLost = queue.LeasesLost;
                    var leases = new List<DeliveryLease>(Math.Min(wanted, 16));

                    // The store first when a publish went there (no room here) or a second has passed: that work is older.
                    // Then what was handed over here; the store again only if nothing was.
                    bool storeFirst = local.TakeStoredInStore() || timeProvider.GetElapsedTime(_lastStoreLook) >= StoreLookInterval;
                    if (storeFirst)
                    {
                        await LeaseFromStoreAsync(wanted, leases, stoppingToken).ConfigureAwait(false);
                    }

                    await TakeHandedOverAsync(wanted, leases, leasesLost).ConfigureAwait(false);
                    if (leases.Count == 0 && !storeFirst)
                    {
                        await LeaseFromStoreAsync(wanted, leases, stoppingToken).ConfigureAwait(false);
                    }

                    backoff = MinBackoff;
                    if (leases.Count == 0)
                    {
                        await WaitForWorkAsync(stoppingToken).ConfigureAwait(false);
                        continue;
                    }

                    // Only this loop takes slots, so the ones counted free above are still free.
                    for (int i = 1; i < leases.Count; i++)
                    {
                        slots.Wait(0);
                    }

                    held = 0;

                    // Members of one batch leased together are sent together: one task (holding their slots) per group.
                    // Without batches (the common case) every delivery is a group of its own: no grouping needed.
                    if (leases.Any(l => l.Delivery.BatchKey is not null))
                    {
                        foreach (var group in leases.GroupBy(l => l.Delivery.BatchKey ?? l.Delivery.Id, StringComparer.Ordinal))
                        {
                            Start([.. group], slots, leasesLost);
                        }
                    }
                    else
                    {
                        foreach (var lease in leases)
                        {
                            Start([lease], slots, leasesLost);
                        }
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.DispatcherStoreError(logger, ex, backoff);
                    await Task.Delay(backoff, timeProvider, stoppingToken).ConfigureAwait(false);
                    backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
                }
                finally
                {
                    if (held > 0)
                    {
                        slots.Release(held);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        // Deliveries handed over but not started go back to the queue now, instead of when their leases lapse.
        await local.ReleaseAsync(local.Close()).ConfigureAwait(false);

        // Full fences on both sides: either the last attempt sees the loop stopped, or the loop sees it finished.
        Interlocked.Exchange(ref _stopped, 1);
        int remaining = Volatile.Read(ref _running);
        if (remaining > 0)
        {
            await _allDone.Task.ConfigureAwait(false);
        }

        Log.DispatcherStopped(logger, remaining);
    }

    /// <summary>Runs the attempt for <paramref name="leases"/> on the thread pool; it gives back their slots when done.</summary>
    private void Start(IReadOnlyList<DeliveryLease> leases, SemaphoreSlim slots, CancellationToken leasesLost)
    {
        Interlocked.Increment(ref _running);
        _ = RunAsync(leases, slots, leasesLost);
    }

    private async Task RunAsync(IReadOnlyList<DeliveryLease> leases, SemaphoreSlim slots, CancellationToken leasesLost)
    {
        // A store that can lose its leases (its heartbeat went stale) cancels the attempts made under them too: another
        // instance may be sending the same deliveries by then. Only such stores pay for the linked source.
        using var linked = leasesLost.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_attemptsCancellation.Token, leasesLost) : null;
        var token = linked?.Token ?? _attemptsCancellation.Token;
        try
        {
            // Off the loop's thread at once, like Task.Run, without its closure and wrapper tasks.
            await Task.Yield();
            await processor.ProcessAsync(leases, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shut down mid-attempt: put the deliveries back without counting an attempt, so they are sent after restart.
            await local.ReleaseAsync(leases).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The store failed while saving the outcome, or a bug: the leases expire and the deliveries are tried again.
            Log.DeliveryProcessingError(logger, ex, leases[0].Delivery.Id);
        }
        finally
        {
            slots.Release(leases.Count);
            if (Interlocked.Decrement(ref _running) == 0 && Volatile.Read(ref _stopped) == 1)
            {
                _allDone.TrySetResult();
            }
        }
    }

    /// <summary>Adds deliveries leased from the store to <paramref name="leases"/>, up to <paramref name="wanted"/> in all.</summary>
    private async Task LeaseFromStoreAsync(int wanted, List<DeliveryLease> leases, CancellationToken stoppingToken)
    {
        leases.AddRange(await queue.LeaseAsync(wanted - leases.Count, options.Value.LeaseDuration, stoppingToken).ConfigureAwait(false));
        _lastStoreLook = timeProvider.GetTimestamp();
    }

    /// <summary>
    /// Adds deliveries handed over here, up to <paramref name="wanted"/> in all. One whose lease would not outlast its attempt
    /// and the storing of its outcome (it waited too long for a slot) goes back to the queue instead: sent under a lapsed
    /// lease, it could be sent twice.
    /// </summary>
    private async Task TakeHandedOverAsync(int wanted, List<DeliveryLease> leases, CancellationToken leasesLost)
    {
        // Leases the store can no longer vouch for are as good as lapsed: none may start. Nor may those handed over before
        // it lost its leases and vouched again (a new token): another instance may have taken them over meanwhile.
        bool renewed = _handedOverUnder.IsCancellationRequested && leasesLost != _handedOverUnder;
        _handedOverUnder = leasesLost;
        var mustHoldUntil = renewed || leasesLost.IsCancellationRequested ? DateTimeOffset.MaxValue : timeProvider.GetUtcNow() + options.Value.AttemptTimeout * 1.5;
        if (local.Take(wanted, mustHoldUntil, leases) is { } stale)
        {
            await local.ReleaseAsync(stale).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until deliveries are handed over locally or the store may have work.</summary>
    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        var handedOver = local.WaitAsync();
        if (handedOver.IsCompleted)
        {
            return;
        }

        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var stored = queue.WaitForWorkAsync(stopWaiting.Token);
        if (await Task.WhenAny(handedOver, stored).ConfigureAwait(false) == stored)
        {
            await stored.ConfigureAwait(false); // a store error or the host stopping
            return;
        }

        await stopWaiting.CancelAsync().ConfigureAwait(false);
        try
        {
            await stored.ConfigureAwait(false);
        }
        catch (Exception) when (!stoppingToken.IsCancellationRequested)
        {
            // The store's wait, given up (a store error shows at the next lease from the store).
        }
    }
}
