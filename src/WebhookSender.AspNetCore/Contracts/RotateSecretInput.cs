namespace WebhookSender.AspNetCore;

/// <summary>A secret rotation: the new secret (generated if left out) and how long the old ones keep signing.</summary>
/// <param name="Secret">The new secret, <c>whsec_</c> and base64 of 24 to 64 bytes; left out, one is generated.</param>
/// <param name="OverlapSeconds">How long the old secrets keep signing beside the new one (0 to 30 days); left out, the host's default.</param>
public sealed record RotateSecretInput(string? Secret = null, double? OverlapSeconds = null);
