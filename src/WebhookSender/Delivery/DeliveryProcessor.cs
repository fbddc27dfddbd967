using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Takes one leased delivery through one attempt: send, log the attempt, then complete or reschedule it and keep the
/// subscription's health up to date.
/// </summary>
internal sealed class DeliveryProcessor(
    IWebhookStore store,
    IDeliveryQueue queue,
    PayloadCache payloads,
    WebhookHttpSender sender,
    RetryPolicy retryPolicy,
    NotificationPublisher notifications,
    WebhookTelemetry telemetry,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<DeliveryProcessor> logger)
{
    public async Task ProcessAsync(DeliveryLease lease, CancellationToken cancellationToken)
    {
        var delivery = lease.Delivery;
        using var activity = WebhookTelemetry.ActivitySource.StartActivity("webhooks.deliver", ActivityKind.Client);
        activity?.SetTag("webhooks.message_id", delivery.MessageId);
        activity?.SetTag("webhooks.subscription_id", delivery.SubscriptionId);
        activity?.SetTag("webhooks.event_type", delivery.EventType);

        var subscription = await store.GetSubscriptionAsync(delivery.SubscriptionId, cancellationToken).ConfigureAwait(false);
        if (subscription is null || !subscription.IsActive)
        {
            await AbandonAsync(lease, subscription is null ? "the subscription was deleted" : "the subscription is disabled", cancellationToken).ConfigureAwait(false);
            return;
        }

        var payload = await payloads.GetAsync(delivery.MessageId, subscription.Format, cancellationToken).ConfigureAwait(false);
        if (payload is null)
        {
            await AbandonAsync(lease, "the message is no longer stored", cancellationToken).ConfigureAwait(false);
            return;
        }

        int attemptNumber = delivery.AttemptCount + 1;
        var result = await sender.SendAsync(subscription, delivery.MessageId, payload, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("webhooks.outcome", result.OutcomeTag);
        activity?.SetTag("http.response.status_code", result.Response?.StatusCode);
        telemetry.RecordAttempt(delivery.EventType, result.OutcomeTag, result.Duration);

        var attempt = new DeliveryAttempt
        {
            Id = Guid.CreateVersion7(result.StartedAt),
            DeliveryId = delivery.Id,
            MessageId = delivery.MessageId,
            SubscriptionId = subscription.Id,
            TenantId = delivery.TenantId,
            EventType = delivery.EventType,
            AttemptNumber = attemptNumber,
            Trigger = delivery.Trigger,
            StartedAt = result.StartedAt,
            Duration = result.Duration,
            Succeeded = result.Outcome == AttemptOutcome.Succeeded,
            Request = result.Request,
            Response = result.Response,
            Error = result.Error,
        };

        // The outcome is saved even if the host is stopping: the request went out and its result must not be lost.
        var saveToken = CancellationToken.None;
        await store.AddAttemptAsync(attempt, saveToken).ConfigureAwait(false);

        var attempted = delivery with
        {
            AttemptCount = attemptNumber,
            LastAttemptAt = result.StartedAt,
            LastStatusCode = result.Response?.StatusCode,
        };

        if (result.Outcome == AttemptOutcome.Succeeded)
        {
            Log.AttemptSucceeded(logger, delivery.MessageId, subscription.Id, attemptNumber, result.Response!.StatusCode, (long)result.Duration.TotalMilliseconds);
            await CompleteAsync(lease, attempted with { Status = DeliveryStatus.Succeeded, CompletedAt = timeProvider.GetUtcNow() }, saveToken).ConfigureAwait(false);
            await RecordHealthAsync(subscription, delivery, succeeded: true, result.StartedAt, saveToken).ConfigureAwait(false);
            return;
        }

        if (result.Outcome == AttemptOutcome.Gone)
        {
            var failed = attempted with { Status = DeliveryStatus.Failed, CompletedAt = timeProvider.GetUtcNow() };
            await CompleteAsync(lease, failed, saveToken).ConfigureAwait(false);
            await notifications.AttemptFailedAsync(new(subscription.Redacted(), failed, attempt, WillRetry: false), saveToken).ConfigureAwait(false);
            await DisableAsync(subscription.Id, result.Error!, saveToken).ConfigureAwait(false);
            await ExhaustAsync(subscription, failed, "the endpoint answered 410 Gone", saveToken).ConfigureAwait(false);
            return;
        }

        var delay = retryPolicy.NextDelay(subscription, delivery, attemptNumber, result.RetryAfter);
        if (delay is { } retryIn)
        {
            var now = timeProvider.GetUtcNow();
            var retry = attempted with { Status = DeliveryStatus.Queued, DueAt = now + retryIn };
            Log.AttemptFailedWillRetry(logger, attemptNumber, delivery.MessageId, subscription.Id, subscription.Url.Host, result.Error!, retry.DueAt);
            if (!await queue.RescheduleAsync(lease, retry, saveToken).ConfigureAwait(false))
            {
                Log.LeaseLost(logger, delivery.Id);
            }

            await notifications.AttemptFailedAsync(new(subscription.Redacted(), retry, attempt, WillRetry: true), saveToken).ConfigureAwait(false);
        }
        else
        {
            var failed = attempted with { Status = DeliveryStatus.Failed, CompletedAt = timeProvider.GetUtcNow() };
            await CompleteAsync(lease, failed, saveToken).ConfigureAwait(false);
            await notifications.AttemptFailedAsync(new(subscription.Redacted(), failed, attempt, WillRetry: false), saveToken).ConfigureAwait(false);
            await ExhaustAsync(subscription, failed, $"all {attemptNumber} attempts failed; the last: {result.Error}", saveToken).ConfigureAwait(false);
        }

        await RecordHealthAsync(subscription, delivery, succeeded: false, result.StartedAt, saveToken).ConfigureAwait(false);
    }

    /// <summary>Marks a delivery Failed without an attempt: there is nothing (left) to send it to.</summary>
    private async Task AbandonAsync(DeliveryLease lease, string reason, CancellationToken cancellationToken)
    {
        Log.DeliverySkipped(logger, lease.Delivery.Id, reason);
        var failed = lease.Delivery with { Status = DeliveryStatus.Failed, CompletedAt = timeProvider.GetUtcNow() };
        await CompleteAsync(lease, failed, cancellationToken).ConfigureAwait(false);
    }

    private async Task CompleteAsync(DeliveryLease lease, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        if (!await queue.CompleteAsync(lease, delivery, cancellationToken).ConfigureAwait(false))
        {
            Log.LeaseLost(logger, delivery.Id);
        }
    }

    private async Task ExhaustAsync(WebhookSubscription subscription, WebhookDelivery delivery, string reason, CancellationToken cancellationToken)
    {
        telemetry.Exhausted.Add(1, new KeyValuePair<string, object?>("webhooks.event_type", delivery.EventType));
        Log.DeliveryExhausted(logger, delivery.Id, delivery.MessageId, subscription.Id, reason);
        await notifications.DeliveryExhaustedAsync(new(subscription.Redacted(), delivery, reason), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps the failure streak of the subscription: a success ends it (and reports recovery), a failure extends it and
    /// disables the subscription once it has lasted <see cref="WebhookOptions.DisableAfter"/>. Pings never count.
    /// </summary>
    private async Task RecordHealthAsync(WebhookSubscription subscription, WebhookDelivery delivery, bool succeeded, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (delivery.Trigger == AttemptTrigger.Ping || (succeeded && subscription.ConsecutiveFailures == 0))
        {
            return; // nothing to write on the hot path of a healthy endpoint
        }

        var disableAfter = options.Value.DisableAfter;
        DateTimeOffset? recoveredFrom = null;
        string? disabledFor = null;
        var updated = await store.ChangeSubscriptionAsync(subscription.Id, current =>
        {
            recoveredFrom = null;
            disabledFor = null;
            if (succeeded)
            {
                if (current.ConsecutiveFailures == 0)
                {
                    return null;
                }

                recoveredFrom = current.FailingSince;
                return current with { ConsecutiveFailures = 0, FailingSince = null };
            }

            var failingSince = current.FailingSince ?? at;
            var changed = current with { ConsecutiveFailures = current.ConsecutiveFailures + 1, FailingSince = failingSince };
            if (current.IsActive && disableAfter is { } limit && at - failingSince >= limit)
            {
                disabledFor = $"every attempt failed for {(at - failingSince).TotalDays:0.#} days ({changed.ConsecutiveFailures} attempts in a row)";
                changed = changed with { IsActive = false, DisabledAt = timeProvider.GetUtcNow(), DisabledReason = disabledFor };
            }

            return changed;
        }, cancellationToken).ConfigureAwait(false);

        if (updated is null)
        {
            return;
        }

        if (recoveredFrom is { } since)
        {
            Log.SubscriptionRecovered(logger, updated.Id, since);
            await notifications.SubscriptionRecoveredAsync(new(updated.Redacted(), since), cancellationToken).ConfigureAwait(false);
        }

        if (disabledFor is not null)
        {
            await OnDisabledAsync(updated, disabledFor, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DisableAsync(string subscriptionId, string reason, CancellationToken cancellationToken)
    {
        bool disabledNow = false;
        var updated = await store.ChangeSubscriptionAsync(subscriptionId, current =>
        {
            disabledNow = current.IsActive;
            return current.IsActive ? current with { IsActive = false, DisabledAt = timeProvider.GetUtcNow(), DisabledReason = reason } : null;
        }, cancellationToken).ConfigureAwait(false);

        if (updated is not null && disabledNow)
        {
            await OnDisabledAsync(updated, reason, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task OnDisabledAsync(WebhookSubscription subscription, string reason, CancellationToken cancellationToken)
    {
        telemetry.Disabled.Add(1);
        Log.SubscriptionDisabled(logger, subscription.Id, reason);
        await notifications.SubscriptionDisabledAsync(new(subscription.Redacted(), reason), cancellationToken).ConfigureAwait(false);
    }
}
