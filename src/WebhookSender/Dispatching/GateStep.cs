namespace WebhookSender;

/// <summary>What follows the end of an attempt at an endpoint's gate (see <see cref="EndpointGate.Finish"/>).</summary>
/// <param name="Next">Waiting work to run at once in the slot the finished attempt held, or <see langword="null"/>.</param>
/// <param name="Requeue">Waiting work the gate gives back to the dispatcher to admit anew (its lane changed), or <see langword="null"/>.</param>
/// <param name="Circuit">The circuit opened (<see langword="true"/>), closed (<see langword="false"/>), or did not change.</param>
/// <param name="OpenUntil">While open: when the next probe may go.</param>
/// <param name="FailureThreshold">The endpoint's threshold (the host's, or its subscription's own), for the log.</param>
internal readonly record struct GateStep(LeasedWork? Next, List<LeasedWork>? Requeue, bool? Circuit, DateTimeOffset OpenUntil, int FailureThreshold);
