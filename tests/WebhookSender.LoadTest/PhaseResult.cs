namespace WebhookSender.LoadTest;

/// <summary>What one measured phase (baseline or library) produced, as the child process reports it.</summary>
internal sealed record PhaseResult
{
    public required string Phase { get; init; }

    public required string Store { get; init; }

    public int Deliveries { get; init; }

    /// <summary>Distinct (path, webhook-id) pairs the receiver counted; equals <see cref="Deliveries"/> in a clean run.</summary>
    public long Received { get; init; }

    /// <summary>Requests the receiver got beyond the distinct ones (retries, duplicates).</summary>
    public long Duplicates { get; init; }

    public long InvalidSignatures { get; init; }

    public long FailedAttempts { get; init; }

    /// <summary>From the first publish to the receiver's last receipt.</summary>
    public double Seconds { get; init; }

    public double DeliveriesPerSecond { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    public double MaxMs { get; init; }

    /// <summary>Sender CPU time (user + system, all threads) over the measured phase, per delivery.</summary>
    public double CpuMicrosecondsPerDelivery { get; init; }

    /// <summary>Bytes the sender allocated over the measured phase, per delivery.</summary>
    public double AllocatedBytesPerDelivery { get; init; }

    /// <summary>Context switches of the sender's threads over the measured phase, per delivery (see <see cref="ContextSwitches"/>).</summary>
    public double SwitchesPerDelivery { get; init; }

    /// <summary>PostgreSQL's CPU over the measured phase, per delivery, when measured (see <see cref="PostgresCpu"/>).</summary>
    public double? ServerCpuMicrosecondsPerDelivery { get; init; }

    /// <summary>What the webhook tables grew by over the measured phase, per delivery, on PostgreSQL (see <see cref="StoredBytes"/>).</summary>
    public double? StoredBytesPerDelivery { get; init; }

    /// <summary>PostgreSQL: the WAL the server wrote over the measured part, per delivery.</summary>
    public double? WalBytesPerDelivery { get; init; }

    /// <summary>The sender process's peak resident set (VmHWM), including start-up and warm-up.</summary>
    public double PeakMemoryMiB { get; init; }

    /// <summary>Gen0/1/2 collections during the measured phase.</summary>
    public string Collections { get; init; } = "";

    /// <summary>Methods the JIT compiled during the measured phase, and the time it spent on them: a warm run has few.</summary>
    public string Jit { get; init; } = "";

    /// <summary>Warm-up rounds run before the measured phase (see <see cref="Measurement.WarmUpAsync"/>).</summary>
    public int WarmUpRounds { get; init; }
}
