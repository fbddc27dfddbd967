using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WebhookSender.Storage;

namespace WebhookSender;

/// <summary>
/// Counts each request against its subscription's own quota and its tenant's (<see cref="WebhookQuotaOptions"/>) before
/// it is sent: in the store when it keeps limits (<see cref="IDeliveryLimitStore"/>, shared by every instance), else in
/// this process. Past a quota, the delivery is held until the window ends. The request that uses a quota's last unit
/// fires <see cref="IWebhookNotificationHandler.OnQuotaExhaustedAsync"/>: exactly one per window, whichever instance sends it.
/// </summary>
internal sealed class DeliveryQuotas(
    IEnumerable<IDeliveryLimitStore> limitStores,
    NotificationPublisher notifications,
    QuotaRaises raises,
    IOptions<WebhookOptions> options,
    ILogger<DeliveryQuotas> logger)
{
    private static readonly TimeSpan StoreErrorDelay = TimeSpan.FromSeconds(1);

    private readonly IDeliveryLimitStore? _store = limitStores.FirstOrDefault();
    private readonly LocalQuotaCounters _local = new();

    /// <summary>Counts one request to <paramref name="subscription"/>; <see langword="null"/> when it may go, else the hold.</summary>
    public async ValueTask<QuotaHold?> TryTakeAsync(WebhookSubscription subscription, AttemptTrigger trigger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value.Quotas;
        long? own = subscription.Controls?.Quota;
        long? tenants = settings.QuotaOf(subscription.TenantId);
        if ((own is null && tenants is null) || trigger is AttemptTrigger.Ping or AttemptTrigger.Test)
        {
            return null;
        }

        var windowEnd = new DateTimeOffset((now.UtcTicks / settings.Window.Ticks + 1) * settings.Window.Ticks, TimeSpan.Zero);
        try
        {
            // The subscription's own first: a request it holds back does not use up its tenant's quota.
            if (own is { } quota && !await TakeAsync($"quota:sub:{subscription.Id}:{windowEnd.UtcTicks}", quota, windowEnd, subscription.TenantId, subscription, now, cancellationToken).ConfigureAwait(false))
            {
                raises.Held(null, subscription.Id, quota, windowEnd);
                return new QuotaHold(windowEnd, HoldReasons.SubscriptionQuota(quota, windowEnd));
            }

            if (tenants is { } tenantQuota && !await TakeAsync($"quota:tenant:{subscription.TenantId}:{windowEnd.UtcTicks}", tenantQuota, windowEnd, subscription.TenantId, null, now, cancellationToken).ConfigureAwait(false))
            {
                raises.Held(subscription.TenantId, null, tenantQuota, windowEnd);
                return new QuotaHold(windowEnd, HoldReasons.TenantQuota(subscription.TenantId!, tenantQuota, windowEnd));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not counted, so not sent: the delivery waits a moment instead of going past a quota.
            Log.LimitStoreError(logger, ex, subscription.Id);
            return new QuotaHold(now + StoreErrorDelay, HoldReasons.LimitsUnknown);
        }

        return null;
    }

    /// <summary>
    /// Counts one request; false when the quota is used up. Using its last unit notifies the host: of the tenant's quota,
    /// or of <paramref name="owner"/>'s own when it is given.
    /// </summary>
    private async ValueTask<bool> TakeAsync(
        string key, long quota, DateTimeOffset windowEnd, string? tenantId, WebhookSubscription? owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = _store is null
            ? _local.Take(key, 1, quota, windowEnd, now)
            : await _store.TakeQuotaAsync(key, 1, quota, windowEnd, cancellationToken).ConfigureAwait(false);
        if (count.Granted > 0 && count.Used == quota)
        {
            Log.QuotaExhausted(logger, key, quota, windowEnd);
            await notifications.QuotaExhaustedAsync(new QuotaExhaustedNotification(tenantId, owner, quota, windowEnd), CancellationToken.None)
                .ConfigureAwait(false);
        }

        return count.Granted > 0;
    }
}
