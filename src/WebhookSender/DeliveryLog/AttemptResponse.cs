namespace WebhookSender;

/// <summary>The receiver's answer.</summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="Headers">The response headers.</param>
/// <param name="Body">The body as text, read up to the configured limit and no further.</param>
/// <param name="BodyTruncated">Whether the receiver sent more than the limit.</param>
public sealed record AttemptResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body, bool BodyTruncated = false);
