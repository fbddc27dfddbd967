namespace WebhookSender.AspNetCore;

/// <summary>Why a subscription is disabled by hand.</summary>
/// <param name="Reason">Shown with the subscription; left out, a default.</param>
public sealed record DisableInput(string? Reason = null);
