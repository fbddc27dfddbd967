using System.Collections;

namespace WebhookSender.Storage;

/// <summary>
/// The deliveries of one published message, one per matched subscription, made only when read. A store that keeps
/// deliveries compactly (the in-memory one) takes <see cref="SubscriptionAt"/> and <see cref="IdAt"/> instead, so a
/// publish with a large fan-out creates no <see cref="WebhookDelivery"/> record at all. Any other store reads the list as
/// it is; each delivery is made once, on first read.
/// </summary>
public sealed class PublishedDeliveries : IReadOnlyList<WebhookDelivery>
{
    private readonly IReadOnlyList<WebhookSubscription> _subscriptions;
    private readonly Guid _firstId;
    private readonly bool _orderedByDefault;
    private WebhookDelivery?[]? _made;

    /// <param name="message">The message the deliveries belong to.</param>
    /// <param name="subscriptions">The matched subscriptions, one delivery each; the list is kept, not copied.</param>
    /// <param name="now">When they are created and, unless batched, due.</param>
    /// <param name="orderedByDefault">Whether subscriptions without a setting of their own get ordered delivery (<see cref="WebhookEndpointOptions.Ordered"/>).</param>
    internal PublishedDeliveries(WebhookMessage message, IReadOnlyList<WebhookSubscription> subscriptions, DateTimeOffset now, bool orderedByDefault = false)
    {
        _orderedByDefault = orderedByDefault;
        Message = message;
        _subscriptions = subscriptions;
        CreatedAt = now;
        _firstId = WebhookIds.NewVersion7(now);
    }

    /// <summary>The message the deliveries belong to.</summary>
    public WebhookMessage Message { get; }

    /// <summary>When the deliveries were created; also their due time, unless the subscription batches.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>How many deliveries: one per matched subscription.</summary>
    public int Count => _subscriptions.Count;

    /// <summary>The subscription of the delivery at <paramref name="index"/>.</summary>
    public WebhookSubscription SubscriptionAt(int index) => _subscriptions[index];

    /// <summary>
    /// Whether the delivery at <paramref name="index"/> goes in a batch: then it is due at the end of its window and has a
    /// batch key. Any other is Queued, scheduled, and due at <see cref="CreatedAt"/>.
    /// </summary>
    public bool IsBatched(int index) => _subscriptions[index].Batching is not null;

    /// <summary>
    /// Whether the delivery at <paramref name="index"/> is kept for a pull subscription's reader
    /// (<see cref="DeliveryStatus.Unread"/>, in its feed) instead of being queued for sending.
    /// </summary>
    public bool IsUnread(int index) => _subscriptions[index].IsPull;

    /// <summary>
    /// Whether the delivery at <paramref name="index"/> waits its turn behind the subscription's earlier ones (it has an
    /// <see cref="WebhookDelivery.OrderKey"/>). Batching subscriptions are never ordered: a batch goes as one request.
    /// </summary>
    public bool IsOrdered(int index) =>
        _subscriptions[index] is { Batching: null, IsPull: false } subscription && (subscription.Controls?.Ordered ?? _orderedByDefault);

    /// <summary>The id of the delivery at <paramref name="index"/> (<c>dlv_</c> and its 32 hex digits); ids ascend with the index.</summary>
    public Guid IdAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return WebhookIds.Offset(_firstId, index);
    }

    /// <summary>The delivery at <paramref name="index"/>, made on first read and kept.</summary>
    /// <param name="index">From 0 to <see cref="Count"/> - 1.</param>
    public WebhookDelivery this[int index]
    {
        get
        {
            _made ??= new WebhookDelivery?[Count];
            return _made[index] ??= WebhookPublisher.NewDelivery(
                Message, _subscriptions[index], AttemptTrigger.Scheduled, CreatedAt, DeliveryIds.Format(IdAt(index)), IsOrdered(index));
        }
    }

    /// <summary>The deliveries in order, each made on first read.</summary>
    /// <returns>An enumerator over the deliveries.</returns>
    public IEnumerator<WebhookDelivery> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
