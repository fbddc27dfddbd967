using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Diagnostics.Tracing;

namespace WebhookSender.LoadTest;

/// <summary>
/// Diagnostics (<c>allocations=N</c>): listens to the runtime's allocation ticks (one event about every 100 KB allocated,
/// naming the type that crossed the mark) and prints the N types seen most often, as shares of the bytes allocated. A
/// sample, not a count: types that make up less than about 1 % are noise.
/// </summary>
internal sealed class AllocationSampler : RuntimeEventSampler
{
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    protected override EventKeywords Keywords => (EventKeywords)0x1; // GC

    protected override int EventId => 10; // GCAllocationTick

    public override void Print(TextWriter writer, int top)
    {
        long total = _bytes.Values.Sum();
        writer.WriteLine($"allocation ticks: {total / 1024.0 / 1024.0:0.0} MiB sampled");
        foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(top))
        {
            writer.WriteLine($"  {100.0 * bytes / total,5:0.0} %  {type}");
        }
    }

    protected override void Record(ReadOnlyCollection<string> names, ReadOnlyCollection<object?> payload)
    {
        int typeIndex = names.IndexOf("TypeName"), amountIndex = names.IndexOf("AllocationAmount64");
        if (typeIndex >= 0 && amountIndex >= 0 && payload[typeIndex] is string type)
        {
            long amount = Convert.ToInt64(payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture);
            _bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
        }
    }
}
