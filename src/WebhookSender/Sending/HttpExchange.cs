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
/// <param name="Failure">Why no response arrived; <see langword="null"/> when one did.</param>
/// <param name="RetryAfter">The delay a 429 or 503 asked for with <c>Retry-After</c>.</param>
internal sealed record HttpExchange(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    AttemptRequest Request,
    AttemptResponse? Response,
    string? ReasonPhrase,
    TransportFailure? Failure,
    TimeSpan? RetryAfter);
