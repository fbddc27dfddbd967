namespace WebhookSender.AspNetCore;

/// <summary>A public key receivers verify <c>v1a</c> (Ed25519) signatures with.</summary>
/// <param name="PublicKey"><c>whpk_</c> and the 32-byte key in base64.</param>
/// <param name="CreatedAt">When the key pair was made.</param>
/// <param name="ExpiresAt">When a rotated-out key stops signing; <see langword="null"/> for the current one.</param>
public sealed record PublicKeyResource(string PublicKey, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt = null);
