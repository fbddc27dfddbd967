using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Keeps a subscription's failure streak: a success ends it (and reports recovery), a failure extends it and disables
/// the subscription once it has lasted <see cref="WebhookOptions.DisableAfter"/>; 410 Gone disables at once.
/// Pings and tests never count.
/// </summary>
internal sealed class SubscriptionHealth(
    IWebhookStore store,
    NotificationPublisher notifications,
    SubscriptionCache cache,
    WebhookTelemetry telemetry,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<SubscriptionHealth> logger)
{
    /// <summary>What an attempt's verdict does to its subscription: 410 Gone disables it, anything else extends or ends the streak.</summary>
    public Task AfterAttemptAsync(WebhookSubscription subscription, AttemptTrigger trigger, AttemptVerdict verdict, DateTimeOffset at, CancellationToken cancellationToken) =>
        verdict.Outcome == AttemptOutcome.Gone
            ? DisableAsync(subscription.Id, verdict.Error!, cancellationToken)
            : RecordAsync(subscription, trigger, verdict.Succeeded, at, cancellationToken);

    public Task RecordAsync(WebhookSubscription subscription, AttemptTrigger trigger, bool succeeded, DateTimeOffset at, CancellationToken cancellationToken) =>
        trigger is AttemptTrigger.Ping or AttemptTrigger.Test || (succeeded && subscription.ConsecutiveFailures == 0)
            ? Task.CompletedTask // nothing to write (nor allocate) on the hot path of a healthy endpoint
            : RecordChangeAsync(subscription, succeeded, at, cancellationToken);

    private async Task RecordChangeAsync(WebhookSubscription subscription, bool succeeded, DateTimeOffset at, CancellationToken cancellationToken)
    {
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
        cache.Invalidate(subscription.Id, matching: disabledFor is not null); // a failure streak changes no match

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

    public async Task DisableAsync(string subscriptionId, string reason, CancellationToken cancellationToken)
    {
        bool disabledNow = false;
        var updated = await store.ChangeSubscriptionAsync(subscriptionId, current =>
        {
            disabledNow = current.IsActive;
            return current.IsActive ? current with { IsActive = false, DisabledAt = timeProvider.GetUtcNow(), DisabledReason = reason } : null;
        }, cancellationToken).ConfigureAwait(false);
        cache.Invalidate(subscriptionId);

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
