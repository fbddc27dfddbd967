namespace WebhookSender.AspNetCore;

/// <summary>Which failed deliveries to send again.</summary>
/// <param name="Since">Deliveries that failed for good since this time. Required.</param>
public sealed record RecoverInput(DateTimeOffset? Since);
