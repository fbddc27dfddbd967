namespace WebhookSender;

/// <summary>Why an exchange got no response: in words for the delivery log, and as its kind for telemetry.</summary>
/// <param name="Error">What went wrong, for a person reading the delivery log.</param>
/// <param name="ErrorType">The kind of failure, one of few values: the <c>error.type</c> tag (see <see cref="TelemetryTags.ErrorType"/>).</param>
internal sealed record TransportFailure(string Error, string ErrorType);
