namespace WebhookSender;

/// <summary>
/// What the dispatcher runs as one attempt: one delivery, or the members of one batch, with the store's
/// <see cref="IDeliveryQueue.LeasesLost"/> token as it was when they were leased. Once that token is cancelled the leases
/// are void, even after the store vouches again with a new token: another instance may have taken them over meanwhile.
/// </summary>
/// <param name="Leases">The leases, all to one subscription.</param>
/// <param name="LeasesLost">The store's token when they were leased.</param>
internal readonly record struct LeasedWork(IReadOnlyList<DeliveryLease> Leases, CancellationToken LeasesLost)
{
    /// <summary>The subscription they go to.</summary>
    public string SubscriptionId => Leases[0].Delivery.SubscriptionId;
}
