using BenchmarkDotNet.Attributes;
using WebhookSender.Storage;

namespace WebhookSender.Benchmarks;

/// <summary>
/// Version 7 UUIDs, one thread: the library's <see cref="WebhookIds.NewVersion7"/> (random bytes drawn from the OS a block
/// at a time per thread) against the runtime's <see cref="Guid.CreateVersion7(DateTimeOffset)"/> (a draw per id). The
/// dispatcher makes one per attempt, a publish one for the message and one for its deliveries. <c>Ids</c> is how many
/// are made per operation: 100 is the deliveries of a publish with fan-out 100, each drawn, or counted up from one
/// (<see cref="WebhookIds.Offset"/>, as <see cref="PublishedDeliveries"/> does).
/// </summary>
[MemoryDiagnoser]
public class IdBenchmarks
{
    private readonly DateTimeOffset _now = new(2026, 12, 1, 18, 30, 0, 123, TimeSpan.Zero);

    [Params(1, 100)]
    public int Ids { get; set; }

    [Benchmark(Baseline = true)]
    public Guid Pooled()
    {
        Guid last = default;
        for (int i = 0; i < Ids; i++)
        {
            last = WebhookIds.NewVersion7(_now);
        }

        return last;
    }

    [Benchmark]
    public Guid Runtime()
    {
        Guid last = default;
        for (int i = 0; i < Ids; i++)
        {
            last = Guid.CreateVersion7(_now);
        }

        return last;
    }

    [Benchmark]
    public Guid CountedUp()
    {
        var first = WebhookIds.NewVersion7(_now);
        Guid last = first;
        for (int i = 1; i < Ids; i++)
        {
            last = WebhookIds.Offset(first, i);
        }

        return last;
    }
}
