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

    /// <summary>
    /// Signs as <see cref="Sign(string, DateTimeOffset, ReadOnlySpan{byte}, IReadOnlyList{WebhookSecret})"/> does with
    /// <paramref name="secrets"/> (<c>v1</c>, none when the subscription signs <c>v1a</c> only), and with each of
    /// <paramref name="signingKeys"/> (<c>v1a</c>, Ed25519): all in one header value, separated by spaces.
    /// </summary>
    /// <remarks>The default implementation supports <c>v1</c> only; a signer that replaces the library's implements both.</remarks>
    string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, IReadOnlyList<WebhookSecret> secrets, IReadOnlyList<WebhookSigningKey> signingKeys) =>
        signingKeys.Count == 0
            ? Sign(messageId, timestamp, body, secrets)
            : throw new NotSupportedException($"{GetType().Name} signs v1 only; implement the overload with signing keys to send v1a signatures.");
}
