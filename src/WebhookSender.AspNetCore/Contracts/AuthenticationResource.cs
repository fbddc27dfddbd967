namespace WebhookSender.AspNetCore;

/// <summary>How the receiver authenticates the requests, besides the signature.</summary>
/// <param name="Scheme"><c>none</c>, <c>basic</c>, <c>bearer</c> or <c>header</c>.</param>
/// <param name="Username">The user name, for <c>basic</c>.</param>
/// <param name="Secret">
/// The password, token or header value. Read back as <c>********</c>; sending <c>********</c> back keeps the stored one.
/// </param>
/// <param name="HeaderName">The header that carries <paramref name="Secret"/>, for <c>header</c>.</param>
public sealed record AuthenticationResource(string Scheme, string? Username = null, string? Secret = null, string? HeaderName = null);
