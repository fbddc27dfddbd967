namespace WebhookSender;

/// <summary>
/// How requests authenticate to the receiver, on top of the signature: HTTP Basic, a Bearer token, a named header
/// (an API key) or OAuth 2.0 client credentials. The credential never appears in logs, the attempt log, exceptions or read APIs.
/// </summary>
public sealed record WebhookAuthentication
{
    internal const string RedactedSecret = "********";

    /// <summary>The scheme.</summary>
    public WebhookAuthenticationScheme Scheme { get; init; }

    /// <summary>The user name, for <see cref="WebhookAuthenticationScheme.Basic"/>; the client id, for <see cref="WebhookAuthenticationScheme.OAuth2"/>.</summary>
    public string? Username { get; init; }

    /// <summary>The password, token, header value or OAuth2 client secret; <c>********</c> in read APIs.</summary>
    public string? Secret { get; init; }

    /// <summary>The header that carries <see cref="Secret"/>, for <see cref="WebhookAuthenticationScheme.Header"/>.</summary>
    public string? HeaderName { get; init; }

    /// <summary>For <see cref="WebhookAuthenticationScheme.OAuth2"/>: the token endpoint (https, or http to loopback in development).</summary>
    public Uri? TokenUrl { get; init; }

    /// <summary>For <see cref="WebhookAuthenticationScheme.OAuth2"/>: the scopes asked for (<c>scope</c>), if any.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>For <see cref="WebhookAuthenticationScheme.OAuth2"/>: the <c>audience</c> asked for, for token servers that want one (Auth0, for example).</summary>
    public string? Audience { get; init; }

    /// <summary>HTTP Basic authentication: <c>Authorization: Basic base64(username:password)</c>.</summary>
    public static WebhookAuthentication Basic(string username, string password) =>
        new() { Scheme = WebhookAuthenticationScheme.Basic, Username = username, Secret = password };

    /// <summary>A Bearer token: <c>Authorization: Bearer token</c>.</summary>
    public static WebhookAuthentication Bearer(string token) =>
        new() { Scheme = WebhookAuthenticationScheme.Bearer, Secret = token };

    /// <summary>A named header carrying a key, for example <c>X-Api-Key: …</c>.</summary>
    public static WebhookAuthentication Header(string name, string value) =>
        new() { Scheme = WebhookAuthenticationScheme.Header, HeaderName = name, Secret = value };

    /// <summary>
    /// OAuth 2.0 client credentials (RFC 6749 section 4.4): the client authenticates to <paramref name="tokenUrl"/> with
    /// HTTP Basic, and each request carries <c>Authorization: Bearer</c> with the token it got.
    /// </summary>
    public static WebhookAuthentication OAuth2(Uri tokenUrl, string clientId, string clientSecret, IReadOnlyList<string>? scopes = null, string? audience = null) =>
        new() { Scheme = WebhookAuthenticationScheme.OAuth2, TokenUrl = tokenUrl, Username = clientId, Secret = clientSecret, Scopes = scopes, Audience = audience };

    /// <summary>Shows the settings without the credential (and the token endpoint by host only).</summary>
    public override string ToString() =>
        $"WebhookAuthentication {{ Scheme = {Scheme}, Username = {Username}, HeaderName = {HeaderName}, TokenUrl = {TokenUrl?.Host}, Secret = {RedactedSecret} }}";
}
