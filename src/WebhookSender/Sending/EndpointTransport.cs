using System.Security.Cryptography;
using System.Text;

namespace WebhookSender;

/// <summary>
/// How requests to one subscription's endpoint travel: through which proxy (if any), with which client certificate,
/// trusting which roots. Subscriptions without settings of their own share <see cref="TransportSelector"/>'s default
/// transport; each other combination gets a connection pool of its own, found by <see cref="Key"/>.
/// </summary>
internal sealed class EndpointTransport
{
    /// <summary>Where the sender puts a request's transport for <see cref="TransportSelector"/> to read.</summary>
    public static readonly HttpRequestOptionsKey<EndpointTransport> OptionKey = new("WebhookSender.EndpointTransport");

    private EndpointTransport(string key, WebhookProxy? proxy, bool proxyNamedByHost, WebhookClientCertificate? clientCertificate, IReadOnlyList<string> trustedRoots)
    {
        Key = key;
        Proxy = proxy;
        ProxyNamedByHost = proxyNamedByHost;
        ClientCertificate = clientCertificate;
        TrustedRoots = trustedRoots;
    }

    /// <summary>Tells pools apart: empty for the host's default, else a SHA-256 of the settings (credentials included, never shown).</summary>
    public string Key { get; }

    /// <summary>The proxy in effect (the subscription's, or the host's); <see langword="null"/> for a direct connection.</summary>
    public WebhookProxy? Proxy { get; }

    /// <summary>Whether the host named <see cref="Proxy"/> (so it may be on a private or loopback address).</summary>
    public bool ProxyNamedByHost { get; }

    /// <summary>The certificate presented in the TLS handshake, if any.</summary>
    public WebhookClientCertificate? ClientCertificate { get; }

    /// <summary>PEM roots that replace the system's, if any.</summary>
    public IReadOnlyList<string> TrustedRoots { get; }

    /// <summary>Whether this is the host's default transport.</summary>
    public bool IsHostDefault => Key.Length == 0;

    /// <summary>The host's default: its proxy (<see cref="WebhookDestinationOptions.Proxy"/>) or none, the system's roots, no client certificate.</summary>
    public static EndpointTransport HostDefault(WebhookDestinationOptions options) =>
        new(string.Empty, options.Proxy is { IsDirect: false } proxy ? proxy : null, proxyNamedByHost: true, clientCertificate: null, trustedRoots: []);

    /// <summary>The transport of <paramref name="subscription"/>: the host's default unless it has a certificate, roots or proxy of its own.</summary>
    public static EndpointTransport For(WebhookSubscription subscription, EndpointTransport hostDefault, WebhookDestinationOptions options)
    {
        if (subscription.ClientCertificate is null && subscription.TrustedRoots.Count == 0 && subscription.Proxy is null)
        {
            return hostDefault;
        }

        var proxy = subscription.Proxy is null ? hostDefault.Proxy : subscription.Proxy.IsDirect ? null : subscription.Proxy;
        bool named = subscription.Proxy is null || (proxy is not null && IsNamedByHost(proxy.Url!, options));
        return new EndpointTransport(KeyOf(proxy, subscription.ClientCertificate, subscription.TrustedRoots), proxy, named, subscription.ClientCertificate, subscription.TrustedRoots);
    }

    /// <summary>Whether <paramref name="proxy"/> is the host's proxy or one of <see cref="WebhookDestinationOptions.AllowedProxies"/> (same host and port).</summary>
    public static bool IsNamedByHost(Uri proxy, WebhookDestinationOptions options) =>
        (options.Proxy?.Url is { } own && SameEndpoint(own, proxy))
        || options.AllowedProxies.Any(entry => Uri.TryCreate(entry, UriKind.Absolute, out var allowed) && SameEndpoint(allowed, proxy));

    private static bool SameEndpoint(Uri a, Uri b) => a.Port == b.Port && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase);

    private static string KeyOf(WebhookProxy? proxy, WebhookClientCertificate? certificate, IReadOnlyList<string> roots)
    {
        var text = new StringBuilder()
            .Append(proxy?.Url).Append('\n').Append(proxy?.Username).Append('\n').Append(proxy?.Password).Append('\n')
            .Append(certificate?.Certificate).Append('\n').Append(certificate?.Password).Append('\n');
        foreach (var root in roots)
        {
            text.Append(root).Append('\n');
        }

        // Never empty, so never the host default's key.
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
