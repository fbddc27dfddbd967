namespace WebhookSender.AspNetCore;

/// <summary>How the receiver authenticates the requests, besides the signature.</summary>
/// <param name="Scheme"><c>none</c>, <c>basic</c>, <c>bearer</c>, <c>header</c> or <c>oauth2</c> (client credentials).</param>
/// <param name="Username">The user name, for <c>basic</c>; the client id, for <c>oauth2</c>.</param>
/// <param name="Secret">
/// The password, token, header value or client secret. Read back as <c>********</c>; sending <c>********</c> back keeps the stored one.
/// </param>
/// <param name="HeaderName">The header that carries <paramref name="Secret"/>, for <c>header</c>.</param>
/// <param name="TokenUrl">The token endpoint, for <c>oauth2</c>.</param>
/// <param name="Scopes">The scopes asked for, for <c>oauth2</c>.</param>
/// <param name="Audience">The audience asked for, for <c>oauth2</c> token servers that want one.</param>
public sealed record AuthenticationResource(
    string Scheme, string? Username = null, string? Secret = null, string? HeaderName = null, Uri? TokenUrl = null, IReadOnlyList<string>? Scopes = null, string? Audience = null);
