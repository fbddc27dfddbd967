using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace WebhookSender;

/// <summary>
/// Takes leased deliveries through one attempt: one request for a single delivery, or one request for a whole batch.
/// Sends, logs an attempt per delivery, then completes or reschedules each and keeps the subscription's health.
/// </summary>
internal sealed class DeliveryProcessor(
    SubscriptionCache subscriptions,
    LeaseEndWriter leaseEnds,
    IDeliveryQueue queue,
    IEnumerable<IDeliveryBatchQueue> batchQueues,
    PayloadBuilder payloads,
    WebhookHttpSender sender,
    RetryPolicy retryPolicy,
    SubscriptionHealth health,
    NotificationPublisher notifications,
    WebhookTelemetry telemetry,
    TimeProvider timeProvider,
    ILogger<DeliveryProcessor> logger)
{
    private readonly IDeliveryBatchQueue? _batchQueue = batchQueues.FirstOrDefault();

    /// <summary>
    /// Processes deliveries leased together: one delivery, or members of one batch (same subscription and batch key).
    /// Returns whether the endpoint accepted the request, or <see langword="null"/> when nothing was sent.
    /// </summary>
    public async Task<bool?> ProcessAsync(IReadOnlyList<DeliveryLease> leased, CancellationToken cancellationToken)
    {
        var first = leased[0].Delivery;
        var subscription = await subscriptions.GetAsync(first.SubscriptionId, cancellationToken).ConfigureAwait(false);
        if (subscription is null || !subscription.IsLiveAt(timeProvider.GetUtcNow()))
        {
            string reason = subscription is null ? "the subscription was deleted"
                : !subscription.IsActive ? "the subscription is disabled"
                : "the subscription has expired";
            foreach (var lease in leased)
            {
                await AbandonAsync(lease, reason).ConfigureAwait(false);
            }

            return null;
        }

        if (first.BatchKey is { } batchKey && subscription.Batching is { } batching && _batchQueue is not null)
        {
            return await SendBatchAsync(subscription, batchKey, batching, leased, cancellationToken).ConfigureAwait(false);
        }

        bool? accepted = null;
        foreach (var lease in leased)
        {
            var message = await payloads.GetMessageAsync(lease.Delivery.MessageId, cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                await AbandonAsync(lease, "the message is no longer stored").ConfigureAwait(false);
                continue;
            }

            accepted = await SendAsync(subscription, [lease], lease.Delivery.MessageId, lease.Delivery.EventType, payloads.Build(message, subscription), cancellationToken).ConfigureAwait(false);
        }

        return accepted;
    }

    private async Task<bool?> SendBatchAsync(WebhookSubscription subscription, string batchKey, WebhookBatching batching, IReadOnlyList<DeliveryLease> leased, CancellationToken cancellationToken)
    {
        // Fill the batch up to its size with the rest of the window (or of the sealed batch, on a retry); give back extras.
        var members = leased.Take(batching.MaxSize).ToList();
        if (leased.Count > batching.MaxSize)
        {
            // In one write: given back one by one, the first would be leased (and sent) alone before the next returned.
            var extras = leased.Skip(batching.MaxSize).Select(extra => new LeaseEnd(extra, extra.Delivery with { Status = DeliveryStatus.Queued })).ToList();
            await queue.EndLeasesAsync(extras, cancellationToken).ConfigureAwait(false);
        }

        if (members.Count < batching.MaxSize)
        {
            members.AddRange(await _batchQueue!.LeaseBatchAsync(batchKey, batching.MaxSize - members.Count, leased[0].ExpiresAt - timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false));
        }

        // Oldest first, so a retry sends the same bytes in the same order.
        members.Sort((a, b) => (a.Delivery.CreatedAt, a.Delivery.Id).CompareTo((b.Delivery.CreatedAt, b.Delivery.Id)));
        var sendable = new List<DeliveryLease>(members.Count);
        var messages = new List<WebhookMessage>(members.Count);
        foreach (var member in members)
        {
            var message = await payloads.GetMessageAsync(member.Delivery.MessageId, cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                await AbandonAsync(member, "the message is no longer stored").ConfigureAwait(false);
                continue;
            }

            sendable.Add(member);
            messages.Add(message);
        }

        if (sendable.Count == 0)
        {
            return null;
        }

        // The first attempt seals the batch: its id becomes the key, so a retry sends exactly these members again.
        string batchId = batchKey.StartsWith("msg_", StringComparison.Ordinal) ? batchKey : WebhookIds.NewMessageId(timeProvider.GetUtcNow());
        string? eventType = messages.Select(m => m.EventType).Distinct().Count() == 1 ? messages[0].EventType : null;
        return await SendAsync(subscription, sendable, batchId, eventType, payloads.BuildBatch(messages, subscription), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one request for <paramref name="members"/> and applies its outcome to each of them; returns whether it was accepted.</summary>
    private async Task<bool> SendAsync(
        WebhookSubscription subscription, IReadOnlyList<DeliveryLease> members, string webhookId, string? eventType, SerializedPayload payload, CancellationToken cancellationToken)
    {
        var first = members[0].Delivery;
        using var activity = WebhookTelemetry.ActivitySource.StartActivity("webhooks.deliver", ActivityKind.Client);
        activity?.SetTag("webhooks.message_id", webhookId);
        activity?.SetTag("webhooks.subscription_id", subscription.Id);
        activity?.SetTag("webhooks.event_type", eventType);
        activity?.SetTag("webhooks.batch_size", members.Count);

        var result = await sender.SendAsync(subscription, webhookId, eventType, payload, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("webhooks.outcome", result.OutcomeTag);
        activity?.SetTag("http.response.status_code", result.Response?.StatusCode);
        telemetry.RecordAttempt(eventType ?? "batch", result.OutcomeTag, result.Duration);

        // The outcome is saved even if the host is stopping: the request went out and its result must not be lost.
        var save = CancellationToken.None;
        int attemptNumber = first.AttemptCount + 1;
        var retryIn = result.Outcome == AttemptOutcome.Failed ? retryPolicy.NextDelay(subscription, first, attemptNumber, result.RetryAfter) : null;
        var now = timeProvider.GetUtcNow();
        var ends = new LeaseEnd[members.Count];
        var attempts = new DeliveryAttempt[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            var delivery = members[i].Delivery;
            attempts[i] = result.ToAttempt(subscription, delivery.Id, delivery.MessageId, delivery.EventType, delivery.AttemptCount + 1, delivery.Trigger, payload.Warnings);
            // Succeeded or Failed: completed now; Queued: due again after the delay. One record per delivery.
            var status = result.Outcome == AttemptOutcome.Succeeded ? DeliveryStatus.Succeeded : retryIn is null ? DeliveryStatus.Failed : DeliveryStatus.Queued;
            var next = delivery with
            {
                AttemptCount = delivery.AttemptCount + 1,
                LastAttemptAt = result.StartedAt,
                LastStatusCode = result.Response?.StatusCode,
                BatchKey = delivery.BatchKey is null ? null : webhookId,
                Status = status,
                CompletedAt = status == DeliveryStatus.Queued ? delivery.CompletedAt : now,
                DueAt = status == DeliveryStatus.Queued ? now + retryIn!.Value : delivery.DueAt,
            };
            ends[i] = new LeaseEnd(members[i], next, attempts[i]);
        }

        // Saved with the outcomes of other attempts in flight; the attempts and the deliveries' new states in one write.
        var held = await leaseEnds.EndAsync(ends).ConfigureAwait(false);
        for (int i = 0; i < ends.Length; i++)
        {
            var (delivery, attempt) = (ends[i].Delivery, attempts[i]);
            if (!held[i])
            {
                Log.LeaseLost(logger, delivery.Id);
            }

            if (delivery.Status == DeliveryStatus.Succeeded)
            {
                Log.AttemptSucceeded(logger, delivery.MessageId, subscription.Id, attempt.AttemptNumber, result.Response!.StatusCode, (long)result.Duration.TotalMilliseconds);
            }
            else if (delivery.Status == DeliveryStatus.Queued)
            {
                Log.AttemptFailedWillRetry(logger, attempt.AttemptNumber, delivery.MessageId, subscription.Id, subscription.Url.Host, result.Error!, delivery.DueAt);
                await notifications.AttemptFailedAsync(new(subscription.Redacted(), delivery, attempt, WillRetry: true), save).ConfigureAwait(false);
            }
            else
            {
                await notifications.AttemptFailedAsync(new(subscription.Redacted(), delivery, attempt, WillRetry: false), save).ConfigureAwait(false);
                string reason = result.Outcome == AttemptOutcome.Gone
                    ? "the endpoint answered 410 Gone"
                    : $"all {attempt.AttemptNumber} attempts failed; the last: {result.Error}";
                await ExhaustAsync(subscription, delivery, reason, save).ConfigureAwait(false);
            }
        }

        if (result.Outcome == AttemptOutcome.Gone)
        {
            await health.DisableAsync(subscription.Id, result.Error!, save).ConfigureAwait(false);
        }
        else
        {
            await health.RecordAsync(subscription, first.Trigger, result.Outcome == AttemptOutcome.Succeeded, result.StartedAt, save).ConfigureAwait(false);
        }

        return result.Outcome == AttemptOutcome.Succeeded;
    }

    /// <summary>Marks a delivery Failed without an attempt: there is nothing (left) to send it to.</summary>
    private async Task AbandonAsync(DeliveryLease lease, string reason)
    {
        Log.DeliverySkipped(logger, lease.Delivery.Id, reason);
        var failed = lease.Delivery with { Status = DeliveryStatus.Failed, CompletedAt = timeProvider.GetUtcNow() };
        await EndAsync(new LeaseEnd(lease, failed)).ConfigureAwait(false);
    }

    /// <summary>Ends a lease through the writer; a lost lease is logged (another holder has the delivery now).</summary>
    private async Task EndAsync(LeaseEnd end)
    {
        if (!(await leaseEnds.EndAsync([end]).ConfigureAwait(false))[0])
        {
            Log.LeaseLost(logger, end.Delivery.Id);
        }
    }

    private async Task ExhaustAsync(WebhookSubscription subscription, WebhookDelivery delivery, string reason, CancellationToken cancellationToken)
    {
        telemetry.Exhausted.Add(1, new KeyValuePair<string, object?>("webhooks.event_type", delivery.EventType));
        Log.DeliveryExhausted(logger, delivery.Id, delivery.MessageId, subscription.Id, reason);
        await notifications.DeliveryExhaustedAsync(new(subscription.Redacted(), delivery, reason), cancellationToken).ConfigureAwait(false);
    }
}
