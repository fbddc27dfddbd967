using System.Diagnostics;

namespace WebhookSender;

/// <summary>
/// Takes leased deliveries through one attempt: one request for a single delivery, or one request for a whole batch.
/// The steps are each another type's: build the body (<see cref="PayloadBuilder"/>), send it
/// (<see cref="WebhookHttpSender"/>), judge the exchange (<see cref="RetryPolicy"/>), record it
/// (<see cref="AttemptRecorder"/>), and keep the subscription's health (<see cref="SubscriptionHealth"/>).
/// </summary>
internal sealed class DeliveryProcessor(
    SubscriptionCache subscriptions,
    IEnumerable<IDeliveryBatchQueue> batchQueues,
    IEnumerable<IWebhookFeedStore> feedStores,
    PayloadBuilder payloads,
    WebhookHttpSender sender,
    RetryPolicy retryPolicy,
    AttemptRecorder recorder,
    SubscriptionHealth health,
    EndpointRateLimits rateLimits,
    DeliveryQuotas quotas,
    WebhookTelemetry telemetry,
    TimeProvider timeProvider)
{
    private readonly IDeliveryBatchQueue? _batchQueue = batchQueues.FirstOrDefault();
    private readonly IWebhookFeedStore? _feedStore = feedStores.LastOrDefault();

    /// <summary>
    /// Processes deliveries leased together: one delivery, or members of one batch (same subscription and batch key).
    /// Returns whether the endpoint accepted the request, or <see langword="null"/> when nothing was sent. The endpoint's
    /// <paramref name="gate"/> takes the subscription's own concurrency and circuit settings.
    /// </summary>
    public async Task<bool?> ProcessAsync(IReadOnlyList<DeliveryLease> leased, EndpointGate gate, CancellationToken cancellationToken)
    {
        var first = leased[0].Delivery;
        var subscription = await subscriptions.GetAsync(first.SubscriptionId, cancellationToken).ConfigureAwait(false);
        if (NotSendable(subscription) is { } reason)
        {
            foreach (var lease in leased)
            {
                await recorder.AbandonAsync(lease, reason).ConfigureAwait(false);
            }

            return null;
        }

        if (subscription!.IsPull && _feedStore is not null)
        {
            // Queued before the subscription lost its URL: they join its feed instead of being sent.
            var now = timeProvider.GetUtcNow();
            await recorder.GiveBackAsync([.. leased.Select(lease => AttemptRecorder.Held(lease, now, HoldReasons.BecamePull))]).ConfigureAwait(false);
            await _feedStore.MoveDeliveriesAsync(subscription.Id, toFeed: true, now, cancellationToken).ConfigureAwait(false);
            return null;
        }

        gate.Configure(subscription.Controls);
        if (await HoldAsync(subscription, leased, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (first.BatchKey is { } batchKey && subscription!.Batching is { } batching && _batchQueue is not null)
        {
            return await SendBatchAsync(subscription, batchKey, batching, leased, cancellationToken).ConfigureAwait(false);
        }

        bool? accepted = null;
        foreach (var lease in leased)
        {
            var message = await payloads.GetMessageAsync(lease.Delivery.MessageId, cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                await recorder.AbandonAsync(lease, "the message is no longer stored").ConfigureAwait(false);
                continue;
            }

            accepted = await SendAsync(
                subscription!, [lease], lease.Delivery.MessageId, lease.Delivery.EventType, payloads.Build(message, subscription!), TraceContext.LinksTo(message), cancellationToken)
                .ConfigureAwait(false);
        }

        return accepted;
    }

    /// <summary>
    /// Counts the request (one delivery, or a batch) against the endpoint's rate limit, then its quotas; when one says
    /// not now, gives the deliveries back to the queue, neither sent nor counted as an attempt, and returns true.
    /// </summary>
    private async ValueTask<bool> HoldAsync(WebhookSubscription subscription, IReadOnlyList<DeliveryLease> leased, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        (DateTimeOffset Until, string Reason, string Code)? hold = null;
        if (await rateLimits.TryTakeAsync(subscription, now, cancellationToken).ConfigureAwait(false) is { } dueAgain)
        {
            hold = (dueAgain, HoldReasons.RateLimited(rateLimits.LimitOf(subscription)!), Admission.RateLimited);
        }
        else if (await quotas.TryTakeAsync(subscription, leased[0].Delivery.Trigger, now, cancellationToken).ConfigureAwait(false) is { } held)
        {
            hold = (held.Until, held.Reason, Admission.QuotaExhausted);
        }

        if (hold is not { } h)
        {
            return false;
        }

        await recorder.GiveBackAsync([.. leased.Select(lease => AttemptRecorder.Held(lease, h.Until, h.Reason))]).ConfigureAwait(false);
        telemetry.RecordDeferred(h.Code, leased.Count);
        return true;
    }

    /// <summary>Why nothing can be sent to <paramref name="subscription"/> now, or <see langword="null"/> when it can.</summary>
    private string? NotSendable(WebhookSubscription? subscription) =>
        subscription is null ? "the subscription was deleted"
        : subscription.IsLiveAt(timeProvider.GetUtcNow()) ? null
        : !subscription.IsActive ? "the subscription is disabled"
        : "the subscription has expired";

    private async Task<bool?> SendBatchAsync(WebhookSubscription subscription, string batchKey, WebhookBatching batching, IReadOnlyList<DeliveryLease> leased, CancellationToken cancellationToken)
    {
        var members = await FillBatchAsync(batchKey, batching.MaxSize, leased, cancellationToken).ConfigureAwait(false);
        var (sendable, messages) = await LoadMessagesAsync(members, cancellationToken).ConfigureAwait(false);
        if (sendable.Count == 0)
        {
            return null;
        }

        // The first attempt seals the batch: its id becomes the key, so a retry sends exactly these members again.
        string batchId = batchKey.StartsWith("msg_", StringComparison.Ordinal) ? batchKey : WebhookIds.NewMessageId(timeProvider.GetUtcNow());
        string? eventType = messages.Select(m => m.EventType).Distinct().Count() == 1 ? messages[0].EventType : null;
        return await SendAsync(subscription, sendable, batchId, eventType, payloads.BuildBatch(messages, subscription), TraceContext.LinksTo(messages), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// The batch's members, oldest first (so a retry sends the same bytes in the same order): the leased ones up to its
    /// size, the rest of the window (or of the sealed batch, on a retry) leased to fill it; extras given back.
    /// </summary>
    private async Task<List<DeliveryLease>> FillBatchAsync(string batchKey, int maxSize, IReadOnlyList<DeliveryLease> leased, CancellationToken cancellationToken)
    {
        var members = leased.Take(maxSize).ToList();
        if (leased.Count > maxSize)
        {
            await recorder.GiveBackAsync([.. leased.Skip(maxSize).Select(extra => new LeaseEnd(extra, extra.Delivery with { Status = DeliveryStatus.Queued }))]).ConfigureAwait(false);
        }

        if (members.Count < maxSize)
        {
            var leaseFor = leased[0].ExpiresAt - timeProvider.GetUtcNow();
            members.AddRange(await _batchQueue!.LeaseBatchAsync(batchKey, maxSize - members.Count, leaseFor, cancellationToken).ConfigureAwait(false));
        }

        members.Sort((a, b) => (a.Delivery.CreatedAt, a.Delivery.Id).CompareTo((b.Delivery.CreatedAt, b.Delivery.Id)));
        return members;
    }

    /// <summary>The members whose message is still stored, with their messages; the others are abandoned.</summary>
    private async Task<(List<DeliveryLease> Sendable, List<WebhookMessage> Messages)> LoadMessagesAsync(List<DeliveryLease> members, CancellationToken cancellationToken)
    {
        var sendable = new List<DeliveryLease>(members.Count);
        var messages = new List<WebhookMessage>(members.Count);
        foreach (var member in members)
        {
            var message = await payloads.GetMessageAsync(member.Delivery.MessageId, cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                await recorder.AbandonAsync(member, "the message is no longer stored").ConfigureAwait(false);
                continue;
            }

            sendable.Add(member);
            messages.Add(message);
        }

        return (sendable, messages);
    }

    /// <summary>
    /// Sends one request for <paramref name="members"/>, judges and records it; returns whether it was accepted. Its span
    /// links to where the messages were published (<paramref name="links"/>).
    /// </summary>
    private async Task<bool> SendAsync(
        WebhookSubscription subscription,
        IReadOnlyList<DeliveryLease> members,
        string webhookId,
        string? eventType,
        SerializedPayload payload,
        ActivityLink[]? links,
        CancellationToken cancellationToken)
    {
        using var activity = WebhookTelemetry.StartDelivery(subscription, members, webhookId, eventType, links);
        var exchange = await sender.SendAsync(subscription, webhookId, eventType, payload, cancellationToken).ConfigureAwait(false);
        var first = members[0].Delivery;
        var verdict = retryPolicy.Judge(exchange, subscription, first);
        telemetry.RecordAttempt(activity, exchange, verdict, eventType);

        // Saved even if the host is stopping: the request went out and its result must not be lost.
        await recorder.RecordAsync(subscription, members, webhookId, exchange, verdict, payload.Warnings).ConfigureAwait(false);
        await health.AfterAttemptAsync(subscription, first.Trigger, verdict, exchange.StartedAt, CancellationToken.None).ConfigureAwait(false);
        return verdict.Succeeded;
    }
}
