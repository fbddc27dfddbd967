using WebhookSender.Storage;

namespace WebhookSender;

/// <summary>
/// The argument rules of the <see cref="IWebhookStore"/> and <see cref="IDeliveryQueue"/> contract that every adapter
/// checks alike (linked source from src/Shared).
/// </summary>
internal static class StoreArguments
{
    /// <summary>A message is stored with its own deliveries only, each id once.</summary>
    public static void CheckDeliveriesOf(WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(deliveries);
        var ids = new HashSet<string>(deliveries.Count, StringComparer.Ordinal);
        foreach (var delivery in deliveries)
        {
            ArgumentNullException.ThrowIfNull(delivery, nameof(deliveries));
            if (!string.Equals(delivery.MessageId, message.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"Delivery '{delivery.Id}' belongs to message '{delivery.MessageId}', not to '{message.Id}'; a message is stored with its own deliveries only.",
                    nameof(deliveries));
            }

            if (!ids.Add(delivery.Id))
            {
                throw new InvalidOperationException($"A delivery with the id '{delivery.Id}' already exists; nothing was stored.");
            }
        }
    }

    /// <summary>
    /// For <see cref="IWebhookStore.AddMessageAndLeaseAsync"/>: a positive lease duration and the deliveries of the message,
    /// each Queued and not batched (leased at once, it is sent at once).
    /// </summary>
    public static void CheckLeasedOnAdd(WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, TimeSpan leaseDuration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        CheckDeliveriesOf(message, deliveries);
        foreach (var delivery in deliveries)
        {
            CheckLeasedOnAdd(delivery);
        }
    }

    /// <summary>Refuses a delivery that cannot be leased as it is stored (see the overload above).</summary>
    public static void CheckLeasedOnAdd(WebhookDelivery delivery)
    {
        if (delivery.Status != DeliveryStatus.Queued || delivery.BatchKey is not null || delivery.OrderKey is not null)
        {
            string kind = delivery.BatchKey is not null ? " and batched" : delivery.OrderKey is not null ? " and ordered" : "";
            throw new ArgumentException(
                $"Delivery '{delivery.Id}' is {delivery.Status}{kind}; only Queued deliveries outside batches and ordered lines are leased as they are stored. Use AddMessageAsync for the others.",
                "deliveries");
        }
    }

    /// <summary>
    /// Each end passes the leased delivery with its new state (Queued, Succeeded or Failed) and, if any, that delivery's
    /// attempt; each delivery once per call.
    /// </summary>
    public static void CheckEnds(IReadOnlyList<LeaseEnd> ends)
    {
        ArgumentNullException.ThrowIfNull(ends);
        var ids = new HashSet<string>(ends.Count, StringComparer.Ordinal);
        foreach (var end in ends)
        {
            ArgumentNullException.ThrowIfNull(end, nameof(ends));
            ArgumentNullException.ThrowIfNull(end.Lease, nameof(ends));
            ArgumentNullException.ThrowIfNull(end.Delivery, nameof(ends));
            var delivery = end.Delivery;
            if (!string.Equals(delivery.Id, end.Lease.Delivery.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"The delivery '{delivery.Id}' is not the one leased ('{end.Lease.Delivery.Id}'); pass the leased delivery with its new state.",
                    nameof(ends));
            }

            if (delivery.Status is not (DeliveryStatus.Queued or DeliveryStatus.Succeeded or DeliveryStatus.Failed))
            {
                throw new ArgumentException(
                    $"A lease ends with its delivery Queued (to try again), Succeeded or Failed, not {delivery.Status}.",
                    nameof(ends));
            }

            if (end.Attempt is { } attempt && !string.Equals(attempt.DeliveryId, delivery.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"The attempt '{attempt.Id}' is of delivery '{attempt.DeliveryId}', not of '{delivery.Id}'; pass each delivery's own attempt.",
                    nameof(ends));
            }

            if (!ids.Add(delivery.Id))
            {
                throw new ArgumentException($"The delivery '{delivery.Id}' appears twice; end each lease once per call.", nameof(ends));
            }
        }
    }
}
