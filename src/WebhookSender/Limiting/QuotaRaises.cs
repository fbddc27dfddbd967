using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WebhookSender.Storage;

namespace WebhookSender;

/// <summary>
/// Watches the quotas this process held deliveries for: every <see cref="CheckInterval"/> it reads them again (the
/// tenant's from <see cref="WebhookQuotaOptions"/>, a subscription's from the subscription), and when one was raised
/// before its window ended, makes the deliveries it held due now (<see cref="IWebhookStore.ReleaseHeldAsync"/>). They are
/// counted again as they go. A quota raised after the process that held it stopped still needs
/// <see cref="IWebhookDeliveries.ReleaseQuotaHoldsAsync"/> (or the window's end).
/// </summary>
internal sealed class QuotaRaises(
    IWebhookStore store, SubscriptionCache subscriptions, IOptions<WebhookOptions> options, TimeProvider timeProvider, ILogger<QuotaRaises> logger) : IDisposable
{
    internal static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);

    // One entry per tenant or subscription held in the current window: few, but bounded all the same.
    private const int MaxWatched = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string? TenantId, string? SubscriptionId), (long Quota, DateTimeOffset WindowEnd)> _held = [];
    private ITimer? _timer;
    private int _checking;

    /// <summary>Notes that a quota of <paramref name="quota"/> held a delivery (the tenant's, or the subscription's when <paramref name="subscriptionId"/> is given).</summary>
    public void Held(string? tenantId, string? subscriptionId, long quota, DateTimeOffset windowEnd)
    {
        lock (_lock)
        {
            if (_held.Count < MaxWatched || _held.ContainsKey((tenantId, subscriptionId)))
            {
                _held[(tenantId, subscriptionId)] = (quota, windowEnd);
            }

            _timer ??= timeProvider.CreateTimer(static state => _ = ((QuotaRaises)state!).CheckAsync(), this, CheckInterval, CheckInterval);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
        }
    }

    /// <summary>One pass: windows that ended are forgotten (their deliveries are due by now); raised quotas release theirs.</summary>
    internal async Task CheckAsync()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return;
        }

        try
        {
            var now = timeProvider.GetUtcNow();
            List<KeyValuePair<(string? TenantId, string? SubscriptionId), (long Quota, DateTimeOffset WindowEnd)>> watched;
            lock (_lock)
            {
                foreach (var ended in _held.Where(h => h.Value.WindowEnd <= now).Select(h => h.Key).ToList())
                {
                    _held.Remove(ended);
                }

                watched = [.. _held];
            }

            foreach (var ((tenantId, subscriptionId), (quota, _)) in watched)
            {
                long? current = subscriptionId is null
                    ? options.Value.Quotas.QuotaOf(tenantId)
                    : (await subscriptions.GetAsync(subscriptionId, CancellationToken.None).ConfigureAwait(false))?.Controls?.Quota;
                if (current is { } still && still <= quota)
                {
                    continue;
                }

                int released = await store.ReleaseHeldAsync(tenantId, subscriptionId, HoldReasons.QuotaPrefix, CancellationToken.None).ConfigureAwait(false);
                Log.QuotaRaised(logger, subscriptionId ?? tenantId ?? "", current, released);
                lock (_lock)
                {
                    _held.Remove((tenantId, subscriptionId));
                }
            }
        }
        catch (Exception ex)
        {
            // The next pass tries again; the held deliveries go at the window's end in any case.
            Log.QuotaRecheckFailed(logger, ex);
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }
}
