using System.Diagnostics;

namespace WebhookSender.LoadTest;

internal static class Results
{
    /// <summary>The receiver's side of a phase: throughput from the first publish to the last receipt, latency percentiles.</summary>
    public static PhaseResult From(string phase, LoadOptions options, ReceiverStats stats, long startedAt, long failedAttempts)
    {
        double seconds = (stats.LastAt - startedAt) / (double)Stopwatch.Frequency;
        return new PhaseResult
        {
            Phase = phase,
            Store = phase == "baseline" ? "-" : options.Store,
            Deliveries = options.TotalDeliveries,
            Received = stats.Distinct,
            Duplicates = stats.Received - stats.Distinct,
            InvalidSignatures = stats.InvalidSignatures,
            FailedAttempts = failedAttempts,
            Seconds = seconds,
            DeliveriesPerSecond = seconds > 0 ? stats.Distinct / seconds : 0,
            P50Ms = stats.P50Ms,
            P99Ms = stats.P99Ms,
            MaxMs = stats.MaxMs,
        };
    }
}
