namespace WebhookSender;

/// <summary>Computes the <c>webhook-signature</c> header value over the exact bytes sent.</summary>
public interface IWebhookSigner
{
    /// <summary>
    /// Signs <c>{messageId}.{timestamp}.{body}</c> once per secret and returns the header value: the signatures separated
    /// by spaces, each <c>v1,&lt;base64&gt;</c>.
    /// </summary>
    /// <param name="messageId">The <c>webhook-id</c>.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> (whole Unix seconds are signed).</param>
    /// <param name="body">The request body, byte for byte.</param>
    /// <param name="secrets">The live secrets, <c>whsec_…</c>; at least one.</param>
    string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, IReadOnlyList<WebhookSecret> secrets);
}
