using Microsoft.Extensions.Logging;

namespace WebhookSender;

/// <summary>
/// Records what became of leased deliveries: for an attempt, an entry in the delivery log per delivery and each
/// delivery's next state, written in one store call with the outcomes of other attempts in flight
/// (<see cref="LeaseEndWriter"/>), then the log lines and the owner's notifications; for a delivery that could not be
/// attempted, its end without an attempt.
/// </summary>
internal sealed class AttemptRecorder(
    LeaseEndWriter leaseEnds,
    NotificationPublisher notifications,
    WebhookTelemetry telemetry,
    TimeProvider timeProvider,
    ILogger<AttemptRecorder> logger)
{
    /// <summary>
    /// Records one exchange for each of <paramref name="members"/> (one delivery, or the members of a batch), with the
    /// state <paramref name="verdict"/> gives it. Never cancelled: the request went out and its result must not be lost.
    /// </summary>
    public async Task RecordAsync(
        WebhookSubscription subscription, IReadOnlyList<DeliveryLease> members, string webhookId, HttpExchange exchange, AttemptVerdict verdict, IReadOnlyList<string> warnings)
    {
        // One time for all members: a batch's deliveries complete, or fall due again, together.
        var now = timeProvider.GetUtcNow();
        var ends = new LeaseEnd[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            ends[i] = EndOf(members[i], subscription, webhookId, exchange, verdict, warnings, now);
        }

        var held = await leaseEnds.EndAsync(ends).ConfigureAwait(false);
        for (int i = 0; i < ends.Length; i++)
        {
            if (!held[i])
            {
                Log.LeaseLost(logger, ends[i].Delivery.Id);
            }

            await ReportAsync(subscription, ends[i].Delivery, ends[i].Attempt!, exchange, verdict).ConfigureAwait(false);
        }
    }

    /// <summary>Marks a delivery Failed without an attempt: there is nothing (left) to send it to.</summary>
    public async Task AbandonAsync(DeliveryLease lease, string reason)
    {
        Log.DeliverySkipped(logger, lease.Delivery.Id, reason);
        var failed = lease.Delivery with { Status = DeliveryStatus.Failed, CompletedAt = timeProvider.GetUtcNow() };
        if (!(await leaseEnds.EndAsync([new LeaseEnd(lease, failed)]).ConfigureAwait(false))[0])
        {
            Log.LeaseLost(logger, lease.Delivery.Id);
        }
    }

    /// <summary>
    /// Gives leased deliveries back to the queue without an attempt, in one write (a batch's extras, deliveries deferred
    /// by an open circuit): given back one by one, the first could be leased and sent alone before the next returned.
    /// </summary>
    public Task GiveBackAsync(IReadOnlyList<LeaseEnd> ends) => leaseEnds.EndAsync(ends);

    /// <summary>How a lease ends when its delivery is held back without an attempt until <paramref name="until"/>, for <paramref name="reason"/>.</summary>
    public static LeaseEnd Held(DeliveryLease lease, DateTimeOffset until, string reason) =>
        new(lease, lease.Delivery with { Status = DeliveryStatus.Queued, DueAt = until, HoldReason = reason });

    /// <summary>The delivery's log entry and next state after the exchange.</summary>
    private static LeaseEnd EndOf(
        DeliveryLease lease, WebhookSubscription subscription, string webhookId, HttpExchange exchange, AttemptVerdict verdict, IReadOnlyList<string> warnings, DateTimeOffset now)
    {
        var delivery = lease.Delivery;
        var attempt = AttemptRecords.From(exchange, verdict, subscription, delivery.Id, delivery.MessageId, delivery.EventType, delivery.AttemptCount + 1, delivery.Trigger, warnings);

        // Succeeded or Failed: completed now; Queued: due again after the delay.
        var status = verdict.NextStatus;
        var next = delivery with
        {
            AttemptCount = delivery.AttemptCount + 1,
            LastAttemptAt = exchange.StartedAt,
            LastStatusCode = exchange.Response?.StatusCode,
            BatchKey = delivery.BatchKey is null ? null : webhookId,
            HoldReason = null,
            Status = status,
            CompletedAt = status == DeliveryStatus.Queued ? delivery.CompletedAt : now,
            DueAt = status == DeliveryStatus.Queued ? now + verdict.RetryIn!.Value : delivery.DueAt,
        };
        return new LeaseEnd(lease, next, attempt);
    }

    /// <summary>The log line and notifications for one delivery's recorded attempt.</summary>
    private async Task ReportAsync(WebhookSubscription subscription, WebhookDelivery delivery, DeliveryAttempt attempt, HttpExchange exchange, AttemptVerdict verdict)
    {
        var save = CancellationToken.None;
        switch (delivery.Status)
        {
            case DeliveryStatus.Succeeded:
                Log.AttemptSucceeded(logger, delivery.MessageId, subscription.Id, attempt.AttemptNumber, exchange.Response!.StatusCode, (long)exchange.Duration.TotalMilliseconds);
                break;
            case DeliveryStatus.Queued:
                Log.AttemptFailedWillRetry(logger, attempt.AttemptNumber, delivery.MessageId, subscription.Id, subscription.Url?.Host ?? "(pull)", verdict.Error!, delivery.DueAt);
                await notifications.AttemptFailedAsync(new(subscription.Redacted(), delivery, attempt, WillRetry: true), save).ConfigureAwait(false);
                break;
            default:
                await notifications.AttemptFailedAsync(new(subscription.Redacted(), delivery, attempt, WillRetry: false), save).ConfigureAwait(false);
                string reason = verdict.Outcome == AttemptOutcome.Gone
                    ? "the endpoint answered 410 Gone"
                    : $"all {attempt.AttemptNumber} attempts failed; the last: {verdict.Error}";
                telemetry.RecordExhausted(delivery.EventType);
                Log.DeliveryExhausted(logger, delivery.Id, delivery.MessageId, subscription.Id, reason);
                await notifications.DeliveryExhaustedAsync(new(subscription.Redacted(), delivery, reason), save).ConfigureAwait(false);
                break;
        }
    }
}
