namespace WebhookSender;

/// <summary>
/// The HTTP proxy webhook requests leave through, so receivers see a known set of source addresses: https requests go
/// through a <c>CONNECT</c> tunnel, http requests as proxy requests. The host sets one for all subscriptions
/// (<see cref="WebhookDestinationOptions.Proxy"/>); a subscription may name its own or go <see cref="Direct"/>.
/// </summary>
public sealed record WebhookProxy
{
    /// <summary>
    /// The proxy, <c>http://host:port</c> (the connection to the proxy itself is plain HTTP; https requests stay
    /// end-to-end encrypted inside the tunnel); <see langword="null"/> sends directly.
    /// </summary>
    public Uri? Url { get; init; }

    /// <summary>The user name, when the proxy asks for Basic credentials.</summary>
    public string? Username { get; init; }

    /// <summary>The password for <see cref="Username"/>; <c>********</c> in read APIs.</summary>
    public string? Password { get; init; }

    /// <summary>No proxy: requests connect to the endpoint directly, whatever the host's default.</summary>
    public static WebhookProxy Direct { get; } = new();

    /// <summary>Through the proxy at <paramref name="url"/>, with Basic credentials when it asks for them.</summary>
    public static WebhookProxy Through(Uri url, string? username = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new() { Url = url, Username = username, Password = password };
    }

    /// <summary>Whether requests connect directly (no proxy).</summary>
    internal bool IsDirect => Url is null;

    /// <summary>Shows the proxy without its password.</summary>
    public override string ToString() =>
        Url is null ? "WebhookProxy { Direct }" : $"WebhookProxy {{ Url = {Url}, Username = {Username}, Password = {(Password is null ? "" : WebhookAuthentication.RedactedSecret)} }}";
}
