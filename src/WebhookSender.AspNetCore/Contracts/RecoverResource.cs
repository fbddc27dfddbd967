namespace WebhookSender.AspNetCore;

/// <summary>How many failed deliveries were queued again.</summary>
/// <param name="Redelivered">The number of new deliveries.</param>
public sealed record RecoverResource(int Redelivered);
