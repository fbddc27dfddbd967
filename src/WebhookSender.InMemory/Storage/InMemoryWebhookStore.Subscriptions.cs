using System.Collections.Concurrent;

namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    // Written only under the lock, so that it always agrees with the indexes below; read without it by
    // GetSubscriptionAsync, which the dispatcher calls for every delivery and which was the store's most contended call.
    private readonly ConcurrentDictionary<string, WebhookSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _subscriptionIds = new(StringComparer.Ordinal);
    private readonly Dictionary<TenantKey, SortedSet<string>> _subscriptionIdsByTenant = [];

    // The matching index: active subscriptions by (tenant, explicit event type), and by tenant for those taking every
    // type. Publishing looks up two sets instead of examining every subscription.
    private readonly Dictionary<(TenantKey Tenant, string EventType), SortedSet<string>> _subscribersByType = [];
    private readonly Dictionary<TenantKey, SortedSet<string>> _wildcardSubscribers = [];

    // What each indexed subscription was indexed under, copied when indexed: unindexing must not depend on a list the
    // caller could have changed since. EventTypes null means the wildcard set.
    private readonly Dictionary<string, (TenantKey Tenant, string[]? EventTypes)> _indexedAs = new(StringComparer.Ordinal);

    public Task AddSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_subscriptions.TryAdd(subscription.Id, subscription))
            {
                throw new InvalidOperationException($"A subscription with the id '{subscription.Id}' already exists; create it with a new id.");
            }

            _subscriptionIds.Add(subscription.Id);
            AddToSet(_subscriptionIdsByTenant, new TenantKey(subscription.TenantId), subscription.Id);
            Index(subscription);
        }

        return Task.CompletedTask;
    }

    public Task<WebhookSubscription?> GetSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_subscriptions.TryGetValue(id, out var subscription) ? subscription : null);
    }

    public Task<WebhookSubscription?> UpdateSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(subscription.Id, out var current) || current.Version != subscription.Version)
            {
                return Task.FromResult<WebhookSubscription?>(null);
            }

            var stored = subscription with { Version = current.Version + 1 };
            Unindex(current.Id);
            if (current.TenantId != stored.TenantId)
            {
                RemoveFromSet(_subscriptionIdsByTenant, new TenantKey(current.TenantId), current.Id);
                AddToSet(_subscriptionIdsByTenant, new TenantKey(stored.TenantId), stored.Id);
            }

            _subscriptions[stored.Id] = stored;
            Index(stored);
            return Task.FromResult<WebhookSubscription?>(stored);
        }
    }

    public Task<bool> DeleteSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_subscriptions.TryRemove(id, out var removed))
            {
                return Task.FromResult(false);
            }

            _subscriptionIds.Remove(id);
            RemoveFromSet(_subscriptionIdsByTenant, new TenantKey(removed.TenantId), id);
            Unindex(id);
            DropFeed(id, _timeProvider.GetUtcNow());
            return Task.FromResult(true);
        }
    }

    public Task<WebhookPage<WebhookSubscription>> ListSubscriptionsAsync(SubscriptionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        int limit = ClampLimit(query.Limit);
        lock (_gate)
        {
            SortedSet<string>? ids = query.TenantId is null
                ? _subscriptionIds
                : _subscriptionIdsByTenant.GetValueOrDefault(new TenantKey(query.TenantId));
            var items = new List<WebhookSubscription>(Math.Min(limit, 64));
            if (ids is null || ids.Count == 0)
            {
                return Task.FromResult(new WebhookPage<WebhookSubscription>(items, null));
            }

            // The cursor is the last id of the previous page: continue with the ids after it.
            IEnumerable<string> remaining = ids;
            if (query.Cursor is { } cursor)
            {
                remaining = StringComparer.Ordinal.Compare(cursor, ids.Max) >= 0
                    ? []
                    : ids.GetViewBetween(cursor, ids.Max!).Where(id => !string.Equals(id, cursor, StringComparison.Ordinal));
            }

            foreach (string id in remaining)
            {
                if (items.Count == limit)
                {
                    return Task.FromResult(new WebhookPage<WebhookSubscription>(items, items[^1].Id));
                }

                var subscription = _subscriptions[id];
                if ((query.IsActive is not { } active || subscription.IsActive == active)
                    && (query.EventType is not { } eventType || subscription.Accepts(eventType)))
                {
                    items.Add(subscription);
                }
            }

            return Task.FromResult(new WebhookPage<WebhookSubscription>(items, null));
        }
    }

    public Task<IReadOnlyList<WebhookSubscription>> FindSubscriptionsAsync(string eventType, string? tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        cancellationToken.ThrowIfCancellationRequested();
        var tenant = new TenantKey(tenantId);
        lock (_gate)
        {
            var explicitIds = _subscribersByType.GetValueOrDefault((tenant, eventType));
            var wildcardIds = _wildcardSubscribers.GetValueOrDefault(tenant);
            var found = new List<WebhookSubscription>((explicitIds?.Count ?? 0) + (wildcardIds?.Count ?? 0));
            if (explicitIds is null || wildcardIds is null)
            {
                foreach (string id in explicitIds ?? wildcardIds ?? Enumerable.Empty<string>())
                {
                    found.Add(_subscriptions[id]);
                }

                return Task.FromResult<IReadOnlyList<WebhookSubscription>>(found);
            }

            // Both sets are sorted by id and disjoint (a wildcard subscription is only in the wildcard set): merge them.
            using var left = explicitIds.GetEnumerator();
            using var right = wildcardIds.GetEnumerator();
            bool hasLeft = left.MoveNext();
            bool hasRight = right.MoveNext();
            while (hasLeft || hasRight)
            {
                if (hasLeft && (!hasRight || StringComparer.Ordinal.Compare(left.Current, right.Current) < 0))
                {
                    found.Add(_subscriptions[left.Current]);
                    hasLeft = left.MoveNext();
                }
                else
                {
                    found.Add(_subscriptions[right.Current]);
                    hasRight = right.MoveNext();
                }
            }

            return Task.FromResult<IReadOnlyList<WebhookSubscription>>(found);
        }
    }

    private void Index(WebhookSubscription subscription)
    {
        if (!subscription.IsActive)
        {
            return;
        }

        var tenant = new TenantKey(subscription.TenantId);
        var eventTypes = subscription.EventTypes;
        if (eventTypes.Count == 0 || eventTypes.Contains(WebhookSubscriptionRequest.AllEventTypes))
        {
            AddToSet(_wildcardSubscribers, tenant, subscription.Id);
            _indexedAs[subscription.Id] = (tenant, null);
            return;
        }

        string[] types = [.. eventTypes.Distinct(StringComparer.Ordinal)];
        foreach (string type in types)
        {
            AddToSet(_subscribersByType, (tenant, type), subscription.Id);
        }

        _indexedAs[subscription.Id] = (tenant, types);
    }

    private void Unindex(string id)
    {
        if (!_indexedAs.Remove(id, out var indexed))
        {
            return;
        }

        if (indexed.EventTypes is null)
        {
            RemoveFromSet(_wildcardSubscribers, indexed.Tenant, id);
            return;
        }

        foreach (string type in indexed.EventTypes)
        {
            RemoveFromSet(_subscribersByType, (indexed.Tenant, type), id);
        }
    }
}
