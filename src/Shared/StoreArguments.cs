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

    /// <summary>Completing passes the leased delivery with its final state, Succeeded or Failed.</summary>
    public static void CheckCompleted(DeliveryLease lease, WebhookDelivery delivery)
    {
        CheckLeased(lease, delivery);
        if (!delivery.IsCompleted)
        {
            throw new ArgumentException(
                $"A delivery is completed with status Succeeded or Failed, not {delivery.Status}; use RescheduleAsync to try it again later.",
                nameof(delivery));
        }
    }

    /// <summary>Rescheduling passes the leased delivery back as Queued.</summary>
    public static void CheckRescheduled(DeliveryLease lease, WebhookDelivery delivery)
    {
        CheckLeased(lease, delivery);
        if (delivery.Status != DeliveryStatus.Queued)
        {
            throw new ArgumentException(
                $"A delivery is rescheduled with status Queued, not {delivery.Status}; use CompleteAsync to finish it.",
                nameof(delivery));
        }
    }

    /// <summary>Completing or rescheduling passes the leased delivery with its new state.</summary>
    private static void CheckLeased(DeliveryLease lease, WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(delivery);
        if (!string.Equals(delivery.Id, lease.Delivery.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The delivery '{delivery.Id}' is not the one leased ('{lease.Delivery.Id}'); pass the leased delivery with its new state.",
                nameof(delivery));
        }
    }
}
