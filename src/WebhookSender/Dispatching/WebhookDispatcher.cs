using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// The background loop: takes due deliveries (those this process published, handed over already leased, and those it
/// leases from the store), lets each endpoint's <see cref="EndpointGate"/> decide whether it runs now, waits for the
/// endpoint, or goes back to the queue for later, and runs the admitted ones through <see cref="DeliveryProcessor"/>.
/// Attempts to proven endpoints use the <see cref="WebhookOptions.MaxConcurrency"/> slots; attempts to endpoints on
/// probation use a pool of their own, so endpoints that hang never hold the slots of healthy ones. Store outages are
/// logged and retried with backoff; the loop never dies of them.
/// </summary>
internal sealed class WebhookDispatcher(
    IDeliveryQueue queue,
    LocalDeliveries local,
    WorkSource source,
    EndpointGates gates,
    DeliveryProcessor processor,
    AttemptRecorder recorder,
    WebhookTelemetry telemetry,
    DispatcherStatus status,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReleaseGrace = TimeSpan.FromSeconds(2);

    // Attempts in flight keep running after the loop stops, until the host's shutdown timeout cancels them.
    private readonly CancellationTokenSource _attemptsCancellation = new();

    // Attempts and deferrals running; when the loop has stopped, the last to finish completes _allDone.
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _stopped;

    // Set when the loop stops taking work: attempts that end then start no waiting work after them.
    private volatile bool _stopping;

    private SemaphoreSlim? _slots;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Endpoints.Ordered && !queue.KeepsOrder)
        {
            throw new InvalidOperationException(
                $"WebhookOptions.Endpoints.Ordered is set, but the registered queue ({queue.GetType().Name}) does not keep deliveries in order " +
                "(IDeliveryQueue.KeepsOrder is false). Use the in-memory or EF Core store, or turn Ordered off.");
        }

        // Here, not in ExecuteAsync (which runs on the thread pool later): publishes right after the host starts hand over too.
        local.Open(options.Value.LocalHandoff ? options.Value.MaxConcurrency * 2 : 0);
        status.Started();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Returns when the loop and the attempts in flight are done, or when the host's shutdown timeout fires.
        status.Stopped();
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
        _slots?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        Log.DispatcherStarted(logger, settings.MaxConcurrency);
        var slots = _slots = new SemaphoreSlim(settings.MaxConcurrency, settings.MaxConcurrency);
        try
        {
            await RunLoopAsync(slots, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            status.Stopped();
        }

        await DrainAsync().ConfigureAwait(false);
    }

    /// <summary>For every free slot: take due work, and admit it at its endpoints' gates; wait when there is none.</summary>
    private async Task RunLoopAsync(SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var backoff = MinBackoff;
        while (await TakeSlotAsync(slots, stoppingToken).ConfigureAwait(false))
        {
            // Read before leasing: what is leased now runs under it, even if the store lost and regained its leases since.
            var leasesLost = queue.LeasesLost;
            List<DeliveryLease> leases;
            try
            {
                leases = await source.TakeAsync(slots.CurrentCount + 1, leasesLost, stoppingToken).ConfigureAwait(false);
                backoff = MinBackoff;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                slots.Release();
                Log.DispatcherStoreError(logger, ex, backoff);
                await source.BackOffAsync(backoff, stoppingToken).ConfigureAwait(false);
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
                continue;
            }

            if (leases.Count == 0)
            {
                slots.Release();
                await source.WaitAsync(stoppingToken).ConfigureAwait(false);
                continue;
            }

            Dispatch(leases, leasesLost, slots);
        }
    }

    /// <summary>Waits for a free slot; <see langword="false"/> when the host is stopping.</summary>
    private static async Task<bool> TakeSlotAsync(SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
        if (!stoppingToken.IsCancellationRequested)
        {
            return true;
        }

        // SemaphoreSlim can still grant a wait cancelled by the stop when a slot is given back before the cancelled wait
        // has run its clean-up (under load, an attempt cut off by the shutdown timeout). Stopping starts nothing new:
        // without this, a delivery waiting here was sent after the stop (a CI failure).
        slots.Release();
        return false;
    }

    /// <summary>
    /// After the loop: deliveries handed over or waiting at gates but not started go back to the queue now (instead of
    /// when their leases lapse), then the attempts in flight are awaited.
    /// </summary>
    private async Task DrainAsync()
    {
        _stopping = true;
        await local.ReleaseAsync(local.Close()).ConfigureAwait(false);
        await local.ReleaseAsync(gates.TakeAllWaiting()).ConfigureAwait(false);

        // Full fences on both sides: either the last attempt sees the loop stopped, or the loop sees it finished.
        Interlocked.Exchange(ref _stopped, 1);
        int remaining = Volatile.Read(ref _running);
        if (remaining > 0)
        {
            await _allDone.Task.ConfigureAwait(false);
        }

        Log.DispatcherStopped(logger, remaining);
    }

    /// <summary>
    /// Admits each piece of work at its endpoint's gate: starts it (in one of the slots the loop counted free, or in the
    /// probation pool), leaves it waiting there, or defers it. Gives back the one slot the loop holds if nothing used it.
    /// </summary>
    private void Dispatch(List<DeliveryLease> leases, CancellationToken leasesLost, SemaphoreSlim slots)
    {
        var now = timeProvider.GetUtcNow();
        bool slotHeld = true;
        List<LeaseEnd>? deferred = null;
        foreach (var group in Groups(leases))
        {
            var work = new LeasedWork(group, leasesLost);
            var gate = gates.For(work.SubscriptionId);
            var admission = gate.Admit(work, now);
            switch (admission.Kind)
            {
                case AdmissionKind.Start when admission.Lane == DispatchLane.Main:
                    // Only this loop takes slots, so the ones it counted free before leasing are still free.
                    if (!slotHeld)
                    {
                        slots.Wait(0);
                    }

                    slotHeld = false;
                    Start(work, gate, DispatchLane.Main);
                    break;
                case AdmissionKind.Start:
                    Start(work, gate, DispatchLane.Probation);
                    break;
                case AdmissionKind.Defer:
                    deferred ??= [];
                    foreach (var lease in group)
                    {
                        deferred.Add(AttemptRecorder.Held(lease, admission.DeferUntil, admission.HoldReason!));
                    }

                    telemetry.RecordDeferred(admission.DeferReason!, group.Count);
                    break;
            }
        }

        if (slotHeld)
        {
            slots.Release();
        }

        if (deferred is not null)
        {
            Interlocked.Increment(ref _running);
            _ = DeferAsync(deferred);
        }
    }

    /// <summary>
    /// Members of one batch leased together are sent together: one piece of work per group. Without batches (the common
    /// case) every delivery is a piece of its own: no grouping needed.
    /// </summary>
    private static IEnumerable<IReadOnlyList<DeliveryLease>> Groups(List<DeliveryLease> leases) =>
        leases.Any(l => l.Delivery.BatchKey is not null)
            ? leases.GroupBy(l => l.Delivery.BatchKey ?? l.Delivery.Id, StringComparer.Ordinal).Select(group => (IReadOnlyList<DeliveryLease>)[.. group])
            : leases.Select(lease => (IReadOnlyList<DeliveryLease>)[lease]);

    /// <summary>Runs <paramref name="work"/> on the thread pool, holding a slot of <paramref name="lane"/> until it is done.</summary>
    private void Start(LeasedWork work, EndpointGate gate, DispatchLane lane)
    {
        Interlocked.Increment(ref _running);
        _ = RunAsync(work, gate, lane);
    }

    /// <summary>Ends the count of a task started by <see cref="Start"/> or a deferral; the last after the stop completes <see cref="_allDone"/>.</summary>
    private void Finished()
    {
        if (Interlocked.Decrement(ref _running) == 0 && Volatile.Read(ref _stopped) == 1)
        {
            _allDone.TrySetResult();
        }
    }

    /// <summary>
    /// Makes attempts for <paramref name="work"/>, then for the endpoint's waiting work that the gate hands on in the same
    /// slot, until there is none; then gives the slot back.
    /// </summary>
    private async Task RunAsync(LeasedWork work, EndpointGate gate, DispatchLane lane)
    {
        try
        {
            // Off the loop's thread at once, like Task.Run, without its closure and wrapper tasks.
            await Task.Yield();
            for (LeasedWork? next = work; next is { } current;)
            {
                next = await AttemptAsync(current, gate, lane).ConfigureAwait(false);
            }
        }
        finally
        {
            if (lane == DispatchLane.Main)
            {
                _slots!.Release();
            }
            else
            {
                gates.ReturnProbationSlot();
            }

            Finished();
        }
    }

    /// <summary>One attempt (or batch) through the processor; returns the endpoint's waiting work to run next in this slot, if any.</summary>
    private async Task<LeasedWork?> AttemptAsync(LeasedWork work, EndpointGate gate, DispatchLane lane)
    {
        // A store that can lose its leases (its heartbeat went stale) cancels the attempts made under them too: another
        // instance may be sending the same deliveries by then. Only such stores pay for the linked source.
        var leasesLost = work.LeasesLost;
        using var linked = leasesLost.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_attemptsCancellation.Token, leasesLost) : null;
        var token = linked?.Token ?? _attemptsCancellation.Token;
        long started = timeProvider.GetTimestamp();
        bool? accepted = null;
        bool cutOff = false;
        try
        {
            accepted = await processor.ProcessAsync(work.Leases, gate, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shut down mid-attempt: put the deliveries back without counting an attempt, so they are sent after restart.
            cutOff = true;
            await local.ReleaseAsync(work.Leases).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The store failed while saving the outcome, or a bug: the leases expire and the deliveries are tried again.
            Log.DeliveryProcessingError(logger, ex, work.Leases[0].Delivery.Id);
        }

        var step = gate.Finish(lane, accepted, timeProvider.GetElapsedTime(started), timeProvider.GetUtcNow(), takeNext: !cutOff && !_stopping);
        while (true)
        {
            await ApplyAsync(step, work.SubscriptionId).ConfigureAwait(false);
            if (step.Next is not { } next || IsFresh(next))
            {
                return step.Next;
            }

            // Waited at the gate until its lease would not outlast the attempt (or the store lost it): back to the queue,
            // and the next in line.
            await local.ReleaseAsync(next.Leases).ConfigureAwait(false);
            step = gate.Finish(lane, null, TimeSpan.Zero, timeProvider.GetUtcNow(), takeNext: !_stopping);
        }
    }

    /// <summary>Carries out what the gate decided besides the next attempt: waiting work given back, a circuit opened or closed.</summary>
    private async Task ApplyAsync(GateStep step, string subscriptionId)
    {
        if (step.Circuit is true)
        {
            Log.CircuitOpened(logger, subscriptionId, step.FailureThreshold, step.OpenUntil);
            telemetry.RecordCircuitChange(opened: true);
        }
        else if (step.Circuit is false)
        {
            Log.CircuitClosed(logger, subscriptionId);
            telemetry.RecordCircuitChange(opened: false);
        }

        foreach (var work in step.Requeue ?? [])
        {
            // Handed to the loop, the leases count as taken under its token then: only those still vouched for go.
            var leases = work.LeasesLost.IsCancellationRequested ? work.Leases : local.Requeue(work.Leases);
            await local.ReleaseAsync(leases).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether work leased earlier may still start: the store still vouches for its leases, and they outlast the attempt
    /// and the storing of its outcome.
    /// </summary>
    private bool IsFresh(LeasedWork work)
    {
        var mustHoldUntil = timeProvider.GetUtcNow() + options.Value.AttemptTimeout * 1.5;
        return !work.LeasesLost.IsCancellationRequested && work.Leases.All(lease => lease.ExpiresAt >= mustHoldUntil);
    }

    /// <summary>Gives deferred deliveries back to the queue, due later, without an attempt; a failure is logged and their leases lapse.</summary>
    private async Task DeferAsync(List<LeaseEnd> deferred)
    {
        try
        {
            await recorder.GiveBackAsync(deferred).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.DeliveryProcessingError(logger, ex, deferred[0].Delivery.Id);
        }
        finally
        {
            Finished();
        }
    }

}
