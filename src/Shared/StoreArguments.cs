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

    /// <summary>Completing or rescheduling passes the leased delivery with its new state.</summary>
    public static void CheckLeased(DeliveryLease lease, WebhookDelivery delivery)
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
