using Microsoft.Extensions.Options;
using WebhookSender.Storage;

namespace WebhookSender;

/// <summary>
/// Reads pull subscriptions' feeds (<see cref="IWebhookUpdates"/>): validates the cursor, reads the next entries (waiting
/// for some when asked to), builds each body as push would send it, and ends the read in one store write that
/// acknowledges what the cursor passed and logs what was taken.
/// </summary>
internal sealed class UpdateReader(
    IWebhookStore store,
    IEnumerable<IWebhookFeedStore> feedStores,
    PayloadBuilder payloads,
    FeedSignal signal,
    WebhookTelemetry telemetry,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider) : IWebhookUpdates
{
    public const int MaxLimit = 1000;
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    // How often a waiting reader looks again for entries this process was not told about (other instances, the outbox).
    private static readonly TimeSpan LookAgain = TimeSpan.FromSeconds(1);

    public async Task<WebhookUpdatePage> ReadAsync(string subscriptionId, string? cursor = null, int limit = 100, TimeSpan wait = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        Check(limit, wait);
        var feeds = Feeds();
        var subscription = await PullSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false);
        var after = FeedCursor.Parse(cursor, subscription.Id);

        var startedAt = timeProvider.GetUtcNow();
        long started = timeProvider.GetTimestamp();
        var entries = await feeds.ReadFeedAsync(subscription.Id, after, limit + 1, cancellationToken).ConfigureAwait(false);
        while (entries.Count == 0 && timeProvider.GetElapsedTime(started) < wait)
        {
            var left = wait - timeProvider.GetElapsedTime(started);
            await signal.WaitAsync(left < LookAgain ? left : LookAgain, timeProvider, cancellationToken).ConfigureAwait(false);
            entries = await feeds.ReadFeedAsync(subscription.Id, after, limit + 1, cancellationToken).ConfigureAwait(false);
        }

        bool hasMore = entries.Count > limit;
        var taken = hasMore ? entries.Take(limit).ToList() : entries;
        var updates = new List<WebhookUpdate>(taken.Count);
        var attempts = new List<DeliveryAttempt>(taken.Count);
        var readAt = timeProvider.GetUtcNow();
        foreach (var entry in taken)
        {
            var payload = payloads.Build(entry.Message, subscription);
            updates.Add(new WebhookUpdate(entry.Message.Id, entry.Message.EventType, entry.Message.CreatedAt, payload.MediaType, payload.Body));
            attempts.Add(Attempt(entry, subscription, payload, cursor, readAt, timeProvider.GetElapsedTime(started)));
        }

        await feeds.AcknowledgeAsync(subscription.Id, after, attempts, readAt, cancellationToken).ConfigureAwait(false);
        foreach (var update in updates)
        {
            telemetry.RecordPulled(update.EventType);
        }

        var next = taken.Count > 0 ? taken[^1].Position : after;
        return new WebhookUpdatePage(updates, FeedCursor.Format(subscription.Id, next), hasMore);
    }

    public async Task<WebhookFeedBacklog> GetBacklogAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        var feeds = Feeds();
        var subscription = await store.GetSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(subscriptionId);
        return await feeds.GetFeedBacklogAsync(subscription.Id, cancellationToken).ConfigureAwait(false);
    }

    private static void Check(int limit, TimeSpan wait)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw new WebhookValidationException("limit", $"The limit is {limit}; read 1 to {MaxLimit} messages at a time.");
        }

        if (wait < TimeSpan.Zero || wait > MaxWait)
        {
            throw new WebhookValidationException("wait", $"The wait must be 0 to {MaxWait.TotalSeconds:0} seconds; read again after an empty page to wait longer.");
        }
    }

    private IWebhookFeedStore Feeds() =>
        feedStores.LastOrDefault() ?? throw new InvalidOperationException(PullNotSupported);

    internal const string PullNotSupported =
        "The webhook store does not keep pull feeds; use the in-memory or EF Core store, or give the subscription a URL.";

    private async Task<WebhookSubscription> PullSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        var subscription = await store.GetSubscriptionAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
        return subscription.IsPull
            ? subscription
            : throw new WebhookValidationException("url", $"The subscription {id} has a URL: its messages are sent to it, not kept for reading. Remove its URL to make it a pull subscription.");
    }

    /// <summary>The log's entry for one message taken: what the reader got, as a push attempt logs what was sent.</summary>
    private DeliveryAttempt Attempt(FeedEntry entry, WebhookSubscription subscription, SerializedPayload payload, string? cursor, DateTimeOffset readAt, TimeSpan duration)
    {
        var (body, truncated) = payload.LoggedBody(options.Value.MaxLoggedRequestBodyBytes);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["content-type"] = payload.MediaType };
        return new DeliveryAttempt
        {
            Id = WebhookIds.NewVersion7(readAt),
            DeliveryId = entry.Delivery.Id,
            MessageId = entry.Message.Id,
            SubscriptionId = subscription.Id,
            TenantId = subscription.TenantId,
            EventType = entry.Message.EventType,
            AttemptNumber = entry.Delivery.AttemptCount + 1,
            Trigger = AttemptTrigger.Pull,
            StartedAt = readAt,
            Duration = duration,
            Succeeded = true,
            Request = new AttemptRequest("GET", cursor is null ? "pull" : $"pull?cursor={cursor}", headers, body, truncated),
            Response = new AttemptResponse(200, headers, string.Empty),
            Warnings = payload.Warnings,
        };
    }

    private static KeyNotFoundException NotFound(string id) => new($"No webhook subscription has the id '{id}'.");
}
