using Microsoft.EntityFrameworkCore;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore : IDeliveryLimitStore
{
    public async Task<RatePermits> TakeRatePermitsAsync(string key, int count, TimeSpan interval, int burst, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        var row = await TakeAsync($"taking rate-limit permits for '{key}'", key, count, (queries, context) =>
            queries.TakePermitsAsync(context, key, count, interval.Ticks, burst, RowMapping.Ticks(now), cancellationToken), cancellationToken).ConfigureAwait(false);
        return new RatePermits(row.Granted, RowMapping.Time(row.Value));
    }

    public async Task<QuotaCount> TakeQuotaAsync(string key, int count, long limit, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var row = await TakeAsync($"counting quota '{key}'", key, count, (queries, context) =>
            queries.TakeQuotaAsync(context, key, count, limit, RowMapping.Ticks(windowEnd), cancellationToken), cancellationToken).ConfigureAwait(false);
        return new QuotaCount(row.Granted, row.Value);
    }

    /// <summary>One statement per take: the counter's row is updated where it is, so instances take one after another.</summary>
    private Task<LimitRow> TakeAsync(string operation, string key, int count, Func<LeaseQueries, DbContext, Task<LimitRow>> take, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return GuardAsync(operation, async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            return await WriteAsync(context, () => take(Queries(context), context), cancellationToken).ConfigureAwait(false);
        });
    }
}
