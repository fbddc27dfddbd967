namespace WebhookSender.AspNetCore;

/// <summary>A signing secret.</summary>
/// <param name="Secret"><c>whsec_</c> and the key in base64.</param>
public sealed record SecretResource(string Secret);
