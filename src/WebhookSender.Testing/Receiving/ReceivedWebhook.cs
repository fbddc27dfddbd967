using System.Globalization;
using System.Text;

namespace WebhookSender.Testing;

/// <summary>One HTTP request that reached a <see cref="WebhookTestReceiver"/>, recorded before the scripted response ran.</summary>
public sealed class ReceivedWebhook
{
    internal ReceivedWebhook(
        string method,
        string routePath,
        string path,
        IReadOnlyDictionary<string, string> headers,
        byte[] body,
        DateTimeOffset receivedAt,
        int attemptNumberForPath,
        bool? signatureValid)
    {
        Method = method;
        RoutePath = routePath;
        Path = path;
        Headers = headers;
        Body = body;
        BodyText = Encoding.UTF8.GetString(body);
        ReceivedAt = receivedAt;
        AttemptNumberForPath = attemptNumberForPath;
        SignatureValid = signatureValid;
        WebhookId = headers.TryGetValue("webhook-id", out var id) ? id : null;
        ContentType = headers.TryGetValue("Content-Type", out var contentType) ? contentType : null;
    }

    /// <summary>The HTTP method, for example <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>The request path and query string, for example <c>/hooks/orders?tenant=7</c>.</summary>
    public string Path { get; }

    /// <summary>
    /// The request headers. Names are case-insensitive; a header sent several times has its values joined with <c>", "</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The raw request body, exactly as received.</summary>
    public byte[] Body { get; }

    /// <summary>The body decoded as UTF-8.</summary>
    public string BodyText { get; }

    /// <summary>The <c>webhook-id</c> header, or <see langword="null"/> when the request had none.</summary>
    public string? WebhookId { get; }

    /// <summary>When the receiver recorded the request (after reading its body).</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The <c>Content-Type</c> header, or <see langword="null"/> when the request had none.</summary>
    public string? ContentType { get; }

    /// <summary>
    /// 1 for the first request the receiver saw on this path (query string ignored), 2 for the second, and so on.
    /// Retries of one webhook to one endpoint therefore show up as 1, 2, 3….
    /// </summary>
    public int AttemptNumberForPath { get; }

    /// <summary>
    /// Whether the Standard Webhooks signature is valid for the secret registered with
    /// <see cref="WebhookTestReceiver.UseSecret"/> for this path; <see langword="false"/> when signature headers are
    /// missing, and <see langword="null"/> when no secret is registered for the path.
    /// Only the signature is checked, not the timestamp's freshness, so senders driven by a fake clock verify too.
    /// </summary>
    public bool? SignatureValid { get; }

    /// <summary>The path without its query string: the key for scripted responses, secrets and attempt numbers.</summary>
    internal string RoutePath { get; }

    /// <summary>A short description for test output, for example <c>POST /hooks/a #2 (57 bytes, msg_…)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Method} {Path} #{AttemptNumberForPath} ({Body.Length} bytes{(WebhookId is null ? string.Empty : ", " + WebhookId)})");
}
