namespace WebhookSender.AspNetCore;

/// <summary>How long the old signing keys keep signing beside the new one.</summary>
/// <param name="OverlapSeconds">0 to 2,592,000 (30 days); left out, the host's default overlap.</param>
public sealed record RotateSigningKeyInput(double? OverlapSeconds = null);
