namespace WebhookSender;

/// <summary>
/// How requests authenticate to the receiver, on top of the signature: HTTP Basic, a Bearer token or a named header
/// (an API key). The credential never appears in logs, the attempt log, exceptions or read APIs.
/// </summary>
public sealed record WebhookAuthentication
{
    internal const string RedactedSecret = "********";

    /// <summary>The scheme.</summary>
    public WebhookAuthenticationScheme Scheme { get; init; }

    /// <summary>The user name, for <see cref="WebhookAuthenticationScheme.Basic"/>.</summary>
    public string? Username { get; init; }

    /// <summary>The password, token or header value; <c>********</c> in read APIs.</summary>
    public string? Secret { get; init; }

    /// <summary>The header that carries <see cref="Secret"/>, for <see cref="WebhookAuthenticationScheme.Header"/>.</summary>
    public string? HeaderName { get; init; }

    /// <summary>HTTP Basic authentication: <c>Authorization: Basic base64(username:password)</c>.</summary>
    public static WebhookAuthentication Basic(string username, string password) =>
        new() { Scheme = WebhookAuthenticationScheme.Basic, Username = username, Secret = password };

    /// <summary>A Bearer token: <c>Authorization: Bearer token</c>.</summary>
    public static WebhookAuthentication Bearer(string token) =>
        new() { Scheme = WebhookAuthenticationScheme.Bearer, Secret = token };

    /// <summary>A named header carrying a key, for example <c>X-Api-Key: …</c>.</summary>
    public static WebhookAuthentication Header(string name, string value) =>
        new() { Scheme = WebhookAuthenticationScheme.Header, HeaderName = name, Secret = value };

    /// <summary>Shows the settings without the credential.</summary>
    public override string ToString() =>
        $"WebhookAuthentication {{ Scheme = {Scheme}, Username = {Username}, HeaderName = {HeaderName}, Secret = {RedactedSecret} }}";
}
