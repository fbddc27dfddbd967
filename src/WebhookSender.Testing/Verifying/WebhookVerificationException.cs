namespace WebhookSender.Testing;

/// <summary>
/// Thrown by <see cref="StandardWebhookVerifier.Verify(IReadOnlyDictionary{string, string}, byte[], TimeSpan?, DateTimeOffset?)"/>
/// when a webhook is not authentic or not fresh. The message says which check failed; it never contains the secret
/// or the expected signature.
/// </summary>
public sealed class WebhookVerificationException : Exception
{
    /// <summary>Creates the exception for the given failure.</summary>
    /// <param name="failure">Which check failed.</param>
    /// <param name="message">A human-readable explanation, free of secrets.</param>
    public WebhookVerificationException(WebhookVerificationFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    /// <summary>Which check failed.</summary>
    public WebhookVerificationFailure Failure { get; }
}
