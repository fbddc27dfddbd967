namespace WebhookSender.AspNetCore;

/// <summary>The HTTP proxy a subscription's requests leave through, instead of the host's.</summary>
/// <param name="Url">The proxy, <c>http://host:port</c>; <see langword="null"/> connects directly, past the host's proxy.</param>
/// <param name="Username">The user name, when the proxy asks for Basic credentials.</param>
/// <param name="Password">Its password; read back as <c>********</c>, and sending <c>********</c> back keeps the stored one.</param>
public sealed record ProxyResource(Uri? Url = null, string? Username = null, string? Password = null);
