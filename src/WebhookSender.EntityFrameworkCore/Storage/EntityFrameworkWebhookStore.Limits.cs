using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore : IDeliveryLimitStore
{
    /// <summary>One statement per take: the counter's row is updated where it is, so instances take one after another.</summary>
    public Task<RatePermits> TakeRatePermitsAsync(string key, int count, TimeSpan interval, int burst, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        return GuardAsync($"taking rate-limit permits for '{key}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            var row = await WriteAsync(
                context,
                () => Queries(context).TakePermitsAsync(context, key, count, interval.Ticks, burst, RowMapping.Ticks(now), cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return new RatePermits(row.Granted, RowMapping.Time(row.Value));
        });
    }

    public Task<QuotaCount> TakeQuotaAsync(string key, int count, long limit, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return GuardAsync($"counting quota '{key}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            var row = await WriteAsync(
                context,
                () => Queries(context).TakeQuotaAsync(context, key, count, limit, RowMapping.Ticks(windowEnd), cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return new QuotaCount(row.Granted, row.Value);
        });
    }
}
