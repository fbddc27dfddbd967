using System.Diagnostics;

namespace WebhookSender.LoadTest;

/// <summary>Sender-side counters taken at the start and the end of the measured part of a phase.</summary>
internal readonly record struct Measurement(long Timestamp, TimeSpan Cpu, long Allocated, int Gen0, int Gen1, int Gen2, long JitMethods, TimeSpan JitTime, long Switches)
{
    public static Measurement Take()
    {
        using var process = Process.GetCurrentProcess();
        return new(Stopwatch.GetTimestamp(), process.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime(), ContextSwitches.Total());
    }

    /// <summary>
    /// Warms up in rounds until two rounds in a row leave the JIT (almost) nothing to compile, at most <see cref="MaxWarmUpRounds"/>.
    /// Each round is followed by a pause until the JIT has had nothing to compile for half a second (at most 10 s).
    /// Tiered compilation promotes hot code in the background, with profile-guided optimization in two steps
    /// (instrumented, then optimized), each needing calls after a quiet spell; a pause alone does not finish it, since
    /// nothing is called then. Without this, a run measured seconds of JIT time (up to 40 µs per delivery) on 2 busy cores.
    /// </summary>
    /// <returns>The rounds run.</returns>
    public static async Task<int> WarmUpAsync(Func<Task> round)
    {
        int rounds = 0, quietRounds = 0;
        do
        {
            long before = System.Runtime.JitInfo.GetCompiledMethodCount();
            await round();
            rounds++;
            long compiled;
            var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
            do
            {
                compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
                await Task.Delay(500);
            }
            while (System.Runtime.JitInfo.GetCompiledMethodCount() != compiled && Stopwatch.GetTimestamp() < deadline);
            long compiledInRound = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            quietRounds = compiledInRound <= QuietRound ? quietRounds + 1 : 0;
        }
        while (quietRounds < 2 && rounds < MaxWarmUpRounds);

        return rounds;
    }

    /// <summary>A round that compiles at most this many methods counts as warm.</summary>
    private const int QuietRound = 10;

    private const int MaxWarmUpRounds = 12;

    /// <summary>Fills in the sender's figures of <paramref name="result"/> for <paramref name="deliveries"/> deliveries.</summary>
    public PhaseResult Complete(Measurement end, int deliveries, PhaseResult result) => result with
    {
        CpuMicrosecondsPerDelivery = (end.Cpu - Cpu).TotalMicroseconds / deliveries,
        AllocatedBytesPerDelivery = (double)(end.Allocated - Allocated) / deliveries,
        SwitchesPerDelivery = (double)(end.Switches - Switches) / deliveries,
        PeakMemoryMiB = PeakResidentMiB(),
        Collections = $"{end.Gen0 - Gen0}/{end.Gen1 - Gen1}/{end.Gen2 - Gen2}",
        Jit = $"{end.JitMethods - JitMethods} methods/{(end.JitTime - JitTime).TotalMilliseconds:0} ms",
    };

    /// <summary>The peak resident set of this process (Linux VmHWM); the peak working set elsewhere.</summary>
    private static double PeakResidentMiB()
    {
        const string key = "VmHWM:";
        if (File.Exists("/proc/self/status"))
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
