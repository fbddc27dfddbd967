using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace WebhookSender;

/// <summary>
/// Deliveries this process published and leased as it stored them (<see cref="IWebhookStore.AddMessageAndLeaseAsync"/>),
/// waiting for a slot in this process's dispatcher. Handing them over here saves leasing them back from the store: for a
/// durable store one write and one round trip per delivery. Only while the dispatcher runs, and only as many as it opens
/// room for (twice its slots), so nothing waits here long and the rest goes through the store, where other instances can
/// take it.
/// </summary>
internal sealed class LocalDeliveries(IDeliveryQueue queue, TimeProvider timeProvider, ILogger<LocalDeliveries> logger)
{
    // Unbounded: the room is counted by the reservations below, which publishers take before they store, not by the
    // channel. Never completed: the dispatcher may open it again. Several readers: after Close, publishers drain it too.
    // Continuations run asynchronously, so a publisher's write never runs the dispatcher's loop on its own thread.
    private readonly Channel<DeliveryLease> _waiting = Channel.CreateUnbounded<DeliveryLease>(new UnboundedChannelOptions { SingleReader = false });

    // The dispatcher's current wait, given again while pending: a waiter it left behind (the store had work first) would
    // otherwise stay in the channel's list until the next write, and with no handoff there may never be one.
    private Task? _wait;

    // Reserved by publishers storing, plus queued here; at most the capacity. Zero capacity: no handoff.
    private int _pending;
    private int _capacity;

    // Whether the dispatcher runs and takes from here (1): leases queued while it does not go back to the queue instead.
    private int _open;

    // Set when a publish went to the store instead (no room here): the dispatcher looks there next, not only when idle.
    private int _storedInStore;

    /// <summary>
    /// Starts taking deliveries (the dispatcher runs): handed over by publishers, at most <paramref name="capacity"/>
    /// waiting (0: no handoff), and given back by the dispatcher itself (<see cref="Requeue"/>).
    /// </summary>
    public void Open(int capacity)
    {
        Volatile.Write(ref _capacity, capacity);
        Volatile.Write(ref _open, 1);
    }

    /// <summary>Stops taking deliveries and returns those still waiting: the caller puts them back in the queue.</summary>
    public IReadOnlyList<DeliveryLease> Close()
    {
        Volatile.Write(ref _capacity, 0);
        Volatile.Write(ref _open, 0);
        return Drain();
    }

    /// <summary>Reserves room for <paramref name="count"/> deliveries before they are stored leased; false when there is none.</summary>
    public bool TryReserve(int count)
    {
        if (Interlocked.Add(ref _pending, count) <= Volatile.Read(ref _capacity))
        {
            return true;
        }

        Interlocked.Add(ref _pending, -count);
        return false;
    }

    /// <summary>Notes that a publish stored due deliveries unleased, for the dispatcher to lease from the store.</summary>
    public void NoteStoredInStore() => Volatile.Write(ref _storedInStore, 1);

    /// <summary>Whether a publish stored due deliveries in the store since the last call.</summary>
    public bool TakeStoredInStore() => Volatile.Read(ref _storedInStore) == 1 && Interlocked.Exchange(ref _storedInStore, 0) == 1;

    /// <summary>Gives back a reservation that stored nothing leased.</summary>
    public void Unreserve(int count) => Interlocked.Add(ref _pending, -count);

    /// <summary>
    /// Queues the leases stored under a reservation of <paramref name="reserved"/> and wakes the dispatcher. Returns the
    /// leases the caller must put back in the queue itself: the dispatcher stopped meanwhile (none otherwise).
    /// </summary>
    public IReadOnlyList<DeliveryLease> Add(IReadOnlyList<DeliveryLease> leases, int reserved)
    {
        Interlocked.Add(ref _pending, leases.Count - reserved);
        foreach (var lease in leases)
        {
            _waiting.Writer.TryWrite(lease); // an unbounded channel that is never completed takes every item
        }

        // Closed while these were being stored: its drain may have run before they arrived.
        return Volatile.Read(ref _open) == 0 ? Drain() : [];
    }

    /// <summary>
    /// Queues leases the dispatcher took but did not start (an endpoint's gate gave them back), for its loop to take
    /// first. Returns those the caller must put back in the queue itself: the dispatcher stopped meanwhile.
    /// </summary>
    public IReadOnlyList<DeliveryLease> Requeue(IReadOnlyList<DeliveryLease> leases) => Add(leases, reserved: 0);

    /// <summary>
    /// Moves waiting deliveries, oldest first, into <paramref name="into"/> until it holds <paramref name="max"/>. Returns
    /// those whose lease ends before <paramref name="mustHoldUntil"/> instead (for the caller to put back), or <see langword="null"/>.
    /// </summary>
    public List<DeliveryLease>? Take(int max, DateTimeOffset mustHoldUntil, List<DeliveryLease> into)
    {
        List<DeliveryLease>? stale = null;
        int taken = 0;
        while (into.Count < max && _waiting.Reader.TryRead(out var lease))
        {
            taken++;
            if (lease.ExpiresAt < mustHoldUntil)
            {
                (stale ??= []).Add(lease);
            }
            else
            {
                into.Add(lease);
            }
        }

        Interlocked.Add(ref _pending, -taken);
        return stale;
    }

    /// <summary>
    /// Completes when deliveries are queued here: at once if some are, else at the next <see cref="Add"/>. Called by the
    /// dispatcher's loop only.
    /// </summary>
    public Task WaitAsync()
    {
        if (_wait is { IsCompleted: false } pending)
        {
            return pending;
        }

        var wait = _waiting.Reader.WaitToReadAsync();
        if (wait.IsCompleted)
        {
            _ = wait.Result; // consumed, so the channel can reuse its waiter
            _wait = null;
            return Task.CompletedTask;
        }

        _wait = wait.AsTask();
        return _wait;
    }

    /// <summary>
    /// Puts leased deliveries back in the queue, due now, without counting an attempt (in one write): those still waiting
    /// when the dispatcher stops, and those whose attempt the host's shutdown cut off. A failure is logged; their leases lapse.
    /// </summary>
    public async Task ReleaseAsync(IReadOnlyList<DeliveryLease> leases)
    {
        if (leases.Count == 0)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        try
        {
            await queue.EndLeasesAsync([.. leases.Select(l => new LeaseEnd(l, l.Delivery with { Status = DeliveryStatus.Queued, DueAt = now }))], CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.DeliveryProcessingError(logger, ex, leases[0].Delivery.Id);
        }
    }

    private List<DeliveryLease> Drain()
    {
        var drained = new List<DeliveryLease>();
        Take(int.MaxValue, DateTimeOffset.MinValue, drained);
        return drained;
    }
}
