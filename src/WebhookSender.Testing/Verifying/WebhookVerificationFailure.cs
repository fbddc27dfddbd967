namespace WebhookSender.Testing;

/// <summary>Why <see cref="StandardWebhookVerifier"/> rejected a webhook.</summary>
public enum WebhookVerificationFailure
{
    /// <summary>One of <c>webhook-id</c>, <c>webhook-timestamp</c> or <c>webhook-signature</c> is missing or empty.</summary>
    MissingHeader = 1,

    /// <summary><c>webhook-timestamp</c> is not a whole number of seconds since the Unix epoch.</summary>
    InvalidTimestamp = 2,

    /// <summary><c>webhook-timestamp</c> is further from now than the allowed tolerance (too old or in the future).</summary>
    TimestampOutsideTolerance = 3,

    /// <summary>No <c>v1</c> signature in <c>webhook-signature</c> matches the HMAC of the id, timestamp and body.</summary>
    NoMatchingSignature = 4,
}
