namespace WebhookSender;

/// <summary>
/// What happened in one HTTP exchange, as the sender saw it; what it means for the delivery is
/// <see cref="RetryPolicy.Judge"/>'s to say. Everything the receiver wrote is already scrubbed of the subscription's credentials.
/// </summary>
/// <param name="StartedAt">When the request was signed and sent.</param>
/// <param name="Duration">From sending to the last byte of the response read, or to the failure.</param>
/// <param name="Request">The request as logged.</param>
/// <param name="Response">The response as logged; <see langword="null"/> when none arrived.</param>
/// <param name="ReasonPhrase">The response's reason phrase, trailing full stops and spaces removed.</param>
/// <param name="TransportError">Why no response arrived, in words for the delivery log; <see langword="null"/> when one did.</param>
/// <param name="RetryAfter">The delay a 429 or 503 asked for with <c>Retry-After</c>.</param>
/// <param name="ErrorType">Why no response arrived, as one of few values for the <c>error.type</c> tag (see <see cref="TelemetryTags.ErrorType"/>).</param>
internal sealed record HttpExchange(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    AttemptRequest Request,
    AttemptResponse? Response,
    string? ReasonPhrase,
    string? TransportError,
    TimeSpan? RetryAfter,
    string? ErrorType = null);
