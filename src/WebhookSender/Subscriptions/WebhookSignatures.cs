namespace WebhookSender;

/// <summary>
/// Which Standard Webhooks signatures a subscription's requests carry in <c>webhook-signature</c>: symmetric
/// <c>v1</c> (HMAC-SHA256 with the shared <c>whsec_</c> secret, the default), asymmetric <c>v1a</c> (Ed25519 with the
/// subscription's signing key; receivers verify with its public key, <c>whpk_…</c>, and cannot sign), or both.
/// </summary>
[Flags]
public enum WebhookSignatures
{
    /// <summary><c>v1</c>: HMAC-SHA256 with each live secret.</summary>
    V1 = 1,

    /// <summary><c>v1a</c>: Ed25519 with each live signing key.</summary>
    V1a = 2,
}
