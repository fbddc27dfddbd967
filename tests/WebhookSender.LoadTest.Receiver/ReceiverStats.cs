using System.Diagnostics;

namespace WebhookSender.LoadTest.Receiver;

/// <summary>What the receiver saw since the last reset. Thread-safe; one lock, held for a few instructions per request.</summary>
internal sealed class ReceiverStats
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _distinct = new(StringComparer.Ordinal);
    private readonly List<long> _latencies = new(1 << 16);
    private long _received;
    private long _invalid;
    private long _firstAt;
    private long _lastAt;

    public void Record(string path, string webhookId, bool signatureValid, long sentAt, long receivedAt)
    {
        string key = string.Concat(path, " ", webhookId);
        lock (_gate)
        {
            _received++;
            if (!signatureValid)
            {
                _invalid++;
            }

            if (_firstAt == 0)
            {
                _firstAt = receivedAt;
            }

            _lastAt = receivedAt;
            if (_distinct.Add(key) && sentAt > 0)
            {
                _latencies.Add(receivedAt - sentAt);
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _distinct.Clear();
            _latencies.Clear();
            _received = _invalid = _firstAt = _lastAt = 0;
        }
    }

    public StatsSnapshot Snapshot()
    {
        long[] latencies;
        StatsSnapshot snapshot;
        lock (_gate)
        {
            latencies = [.. _latencies];
            snapshot = new StatsSnapshot(_received, _distinct.Count, _invalid, _firstAt, _lastAt, 0, 0, 0);
        }

        if (latencies.Length == 0)
        {
            return snapshot;
        }

        Array.Sort(latencies);
        return snapshot with
        {
            P50Ms = Milliseconds(Percentile(latencies, 0.50)),
            P99Ms = Milliseconds(Percentile(latencies, 0.99)),
            MaxMs = Milliseconds(latencies[^1]),
        };
    }

    private static long Percentile(long[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// Counts since the last reset. <see cref="FirstAt"/> and <see cref="LastAt"/> are <see cref="Stopwatch.GetTimestamp"/>
/// values, comparable with the sender's (same machine, same monotonic clock).
/// </summary>
internal sealed record StatsSnapshot(long Received, long Distinct, long InvalidSignatures, long FirstAt, long LastAt, double P50Ms, double P99Ms, double MaxMs);
