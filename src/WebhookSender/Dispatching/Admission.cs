namespace WebhookSender;

/// <summary>What the dispatcher does with leased work for an endpoint, as its <see cref="EndpointGate"/> decides.</summary>
/// <param name="Kind">Start it, leave it waiting at the gate, or give it back to the queue until <paramref name="DeferUntil"/>.</param>
/// <param name="Lane">For <see cref="AdmissionKind.Start"/>: the pool it runs in (its slot is taken).</param>
/// <param name="DeferUntil">For <see cref="AdmissionKind.Defer"/>: when the work is due again.</param>
/// <param name="DeferReason">For <see cref="AdmissionKind.Defer"/>: why, as a telemetry tag value.</param>
/// <param name="HoldReason">For <see cref="AdmissionKind.Defer"/>: why, as the delivery log says it (see <see cref="HoldReasons"/>).</param>
internal readonly record struct Admission(
    AdmissionKind Kind, DispatchLane Lane = default, DateTimeOffset DeferUntil = default, string? DeferReason = null, string? HoldReason = null)
{
    public const string CircuitOpen = "circuit_open";
    public const string EndpointBusy = "endpoint_busy";
    public const string ProbationFull = "probation_full";
    public const string RateLimited = "rate_limited";
    public const string QuotaExhausted = "quota_exhausted";

    public static Admission Start(DispatchLane lane) => new(AdmissionKind.Start, lane);

    public static Admission Wait { get; } = new(AdmissionKind.Wait);

    public static Admission Defer(DateTimeOffset until, string reason, string holdReason) =>
        new(AdmissionKind.Defer, DeferUntil: until, DeferReason: reason, HoldReason: holdReason);
}
