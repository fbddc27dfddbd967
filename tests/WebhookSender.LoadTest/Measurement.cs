using System.Diagnostics;

namespace WebhookSender.LoadTest;

/// <summary>Sender-side counters taken at the start and the end of the measured part of a phase.</summary>
internal readonly record struct Measurement(long Timestamp, TimeSpan Cpu, long Allocated, int Gen0, int Gen1, int Gen2)
{
    public static Measurement Take()
    {
        using var process = Process.GetCurrentProcess();
        return new(Stopwatch.GetTimestamp(), process.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    /// <summary>
    /// Warms up in two rounds, each followed by a pause until the JIT has had nothing to compile for half a second (at
    /// most 10 s). Tiered compilation promotes hot code in the background, and with profile-guided optimization in two
    /// steps (instrumented, then optimized), each needing calls; on 2 busy cores it would otherwise still be compiling,
    /// seconds of CPU, in the measured part.
    /// </summary>
    public static async Task WarmUpAsync(Func<Task> round)
    {
        for (int i = 0; i < 2; i++)
        {
            await round();
            long compiled;
            var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
            do
            {
                compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
                await Task.Delay(500);
            }
            while (System.Runtime.JitInfo.GetCompiledMethodCount() != compiled && Stopwatch.GetTimestamp() < deadline);
        }
    }

    /// <summary>Fills in the sender's figures of <paramref name="result"/> for <paramref name="deliveries"/> deliveries.</summary>
    public PhaseResult Complete(Measurement end, int deliveries, PhaseResult result) => result with
    {
        CpuMicrosecondsPerDelivery = (end.Cpu - Cpu).TotalMicroseconds / deliveries,
        AllocatedBytesPerDelivery = (double)(end.Allocated - Allocated) / deliveries,
        PeakMemoryMiB = PeakResidentMiB(),
        Collections = $"{end.Gen0 - Gen0}/{end.Gen1 - Gen1}/{end.Gen2 - Gen2}",
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
