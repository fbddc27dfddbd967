using System.Collections.Concurrent;
using WebhookSender.Storage;

namespace WebhookSender;

/// <summary>Quota counts kept in this process, for stores without <see cref="IDeliveryLimitStore"/> (one process: the in-memory store).</summary>
internal sealed class LocalQuotaCounters
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    public QuotaCount Take(string key, int count, long limit, DateTimeOffset windowEnd, DateTimeOffset now)
    {
        var counter = _counters.GetOrAdd(key, static (_, end) => new Counter(end), windowEnd);
        QuotaCount taken;
        lock (counter)
        {
            int granted = (int)Math.Clamp(limit - counter.Used, 0, count);
            counter.Used += granted;
            taken = new QuotaCount(granted, counter.Used);
        }

        // Keys carry their window: the counters of windows that ended are dropped when a new window's first is made.
        if (counter.Used == taken.Granted && taken.Granted > 0)
        {
            foreach (var (oldKey, old) in _counters)
            {
                if (old.WindowEnd <= now)
                {
                    _counters.TryRemove(new KeyValuePair<string, Counter>(oldKey, old));
                }
            }
        }

        return taken;
    }

    private sealed class Counter(DateTimeOffset windowEnd)
    {
        public DateTimeOffset WindowEnd { get; } = windowEnd;

        public long Used { get; set; }
    }
}
