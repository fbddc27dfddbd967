namespace WebhookSender;

/// <summary>The request of an attempt as sent, with credentials redacted.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Url">The URL.</param>
/// <param name="Headers">The headers sent; credential values appear as <c>[redacted]</c>.</param>
/// <param name="Body">The body as text, cut at the configured limit.</param>
/// <param name="BodyTruncated">Whether <paramref name="Body"/> was cut.</param>
public sealed record AttemptRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string Body, bool BodyTruncated = false);
