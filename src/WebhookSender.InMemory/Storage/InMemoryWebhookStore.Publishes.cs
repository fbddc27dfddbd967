using System.Collections.Concurrent;
using WebhookSender.Storage;

namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    private readonly PublishCombiner _publishes;

    /// <summary>A publish waiting to be stored.</summary>
    private sealed class PendingPublish(WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, PublishedDeliveries? published, TimeSpan? leaseDuration)
    {
        public WebhookMessage Message { get; } = message;

        public IReadOnlyList<WebhookDelivery> Deliveries { get; } = deliveries;

        public PublishedDeliveries? Published { get; } = published;

        /// <summary>Set when the deliveries are to be leased as they are stored (<see cref="AddMessageAndLeaseAsync"/>).</summary>
        public TimeSpan? LeaseDuration { get; } = leaseDuration;

        /// <summary>The leases made when stored that way; <see langword="null"/> otherwise, or for a duplicate.</summary>
        public DeliveryLease[]? Leases { get; set; }

        // Completed by whichever caller stores it; asynchronously, so a waiter never runs on the storing thread.
        public TaskCompletionSource<WebhookMessage> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Stores concurrent publishes under one holder of the lock (flat combining): a caller that finds another storing
    /// leaves its publish in the queue and awaits it, instead of spinning on the lock: on busy cores the holder is often
    /// preempted, and spinning publishers waste the CPU it needs (docs/benchmarks-history.md, "flat combining").
    /// </summary>
    private sealed class PublishCombiner(InMemoryWebhookStore store)
    {
        // Publishes stored per hold of the lock, so that leases and lease ends get their turn under a stream of publishes.
        private const int MaxPerHold = 64;

        private readonly ConcurrentQueue<PendingPublish> _queue = new();
        private int _storing;

        public Task<WebhookMessage> Add(PendingPublish publish)
        {
            _queue.Enqueue(publish);

            // Whoever stops storing looks at the queue again afterwards, so a publish queued meanwhile is never left behind.
            while (!_queue.IsEmpty && Interlocked.CompareExchange(ref _storing, 1, 0) == 0)
            {
                try
                {
                    StoreQueued();
                }
                finally
                {
                    Volatile.Write(ref _storing, 0);
                }
            }

            return publish.Stored.Task;
        }

        private void StoreQueued()
        {
            List<(PendingPublish Publish, WebhookMessage? Stored, Exception? Error)> done = [];
            lock (store._gate)
            {
                while (done.Count < MaxPerHold && _queue.TryDequeue(out var publish))
                {
                    try
                    {
                        done.Add((publish, store.AddMessage(publish), null));
                    }
                    catch (Exception ex)
                    {
                        done.Add((publish, null, ex));
                    }
                }
            }

            // Outside the lock: waiters resume elsewhere, and the caller's own publish is complete when it returns.
            foreach (var (publish, stored, error) in done)
            {
                if (error is null)
                {
                    publish.Stored.TrySetResult(stored!);
                }
                else
                {
                    publish.Stored.TrySetException(error);
                }
            }
        }
    }
}
