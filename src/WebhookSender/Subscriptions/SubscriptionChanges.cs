namespace WebhookSender;

/// <summary>Read-modify-write of a subscription under the store's optimistic concurrency, retried on conflicts.</summary>
internal static class SubscriptionChanges
{
    private const int MaxConflicts = 10;

    /// <summary>
    /// Applies <paramref name="change"/> to the latest stored subscription until the store accepts it. The change returns
    /// <see langword="null"/> when nothing needs changing. Returns the stored subscription, or <see langword="null"/> if it is gone.
    /// </summary>
    public static async Task<WebhookSubscription?> ChangeSubscriptionAsync(
        this IWebhookStore store, string id, Func<WebhookSubscription, WebhookSubscription?> change, CancellationToken cancellationToken)
    {
        for (int conflicts = 0; conflicts < MaxConflicts; conflicts++)
        {
            var current = await store.GetSubscriptionAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }

            var changed = change(current);
            if (changed is null)
            {
                return current;
            }

            var stored = await store.UpdateSubscriptionAsync(changed with { Version = current.Version }, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                return stored;
            }
        }

        throw new InvalidOperationException($"Subscription {id} was changed by others {MaxConflicts} times in a row while being updated; try again.");
    }
}
