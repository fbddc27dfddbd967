using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Where the dispatcher's work comes from: deliveries this process published and handed over already leased
/// (<see cref="LocalDeliveries"/>), and deliveries leased from the store (retries, and what other instances published).
/// It takes from both fairly, and waits for either.
/// </summary>
internal sealed class WorkSource(IDeliveryQueue queue, LocalDeliveries local, IOptions<WebhookOptions> options, TimeProvider timeProvider)
{
    // While deliveries handed over locally keep every slot busy, the store is still asked this often: retries due there and
    // work other instances published must not wait behind a stream of local publishes.
    private static readonly TimeSpan StoreLookInterval = TimeSpan.FromSeconds(1);

    // When the store was last leased from (a TimeProvider timestamp).
    private long _lastStoreLook;

    // The store's LeasesLost token when deliveries handed over here were last taken.
    private CancellationToken _handedOverUnder;

    /// <summary>
    /// Takes up to <paramref name="wanted"/> leased deliveries: from the store first when a publish went there (no room
    /// here) or a second has passed (that work is older), then what was handed over here; the store again only if nothing was.
    /// </summary>
    public async Task<List<DeliveryLease>> TakeAsync(int wanted, CancellationToken leasesLost, CancellationToken stoppingToken)
    {
        var leases = new List<DeliveryLease>(Math.Min(wanted, 16));
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

        return leases;
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

    /// <summary>Waits out a store error's backoff, or less: work handed over here (the store is back for a publisher) ends it.</summary>
    public async Task BackOffAsync(TimeSpan backoff, CancellationToken stoppingToken)
    {
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(backoff, timeProvider, stopWaiting.Token);
        await Task.WhenAny(delay, local.WaitAsync()).ConfigureAwait(false);
        await stopWaiting.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
    }

    /// <summary>Waits until deliveries are handed over locally or the store may have work.</summary>
    public async Task WaitAsync(CancellationToken stoppingToken)
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

        // The store's wait, given up: its end is awaited without rethrowing its cancellation (two first-chance
        // exceptions per local handoff otherwise); a store error shows at the next lease from the store.
        await stopWaiting.CancelAsync().ConfigureAwait(false);
        await stored.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _ = stored.Exception; // observed, so a store error is not reported again as unobserved
        stoppingToken.ThrowIfCancellationRequested();
    }
}
