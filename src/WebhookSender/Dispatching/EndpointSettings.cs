namespace WebhookSender;

/// <summary>The concurrency and circuit settings of one endpoint's gate: the host's defaults, or the subscription's own.</summary>
/// <param name="MaxConcurrency">The most attempts in flight once the endpoint is proven.</param>
/// <param name="FailureThreshold">Failed attempts in a row that open the circuit; 0 never opens it.</param>
/// <param name="BreakDuration">How long the circuit first stays open.</param>
internal readonly record struct EndpointSettings(int MaxConcurrency, int FailureThreshold, TimeSpan BreakDuration);
