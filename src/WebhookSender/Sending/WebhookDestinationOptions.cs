namespace WebhookSender;

/// <summary>
/// The destination guard: at connect time, after DNS resolution, requests to non-public addresses (loopback, private,
/// link-local, unique-local, multicast, reserved) are refused, so subscribers cannot aim webhooks at the host's own network.
/// </summary>
public sealed class WebhookDestinationOptions
{
    /// <summary>Whether the guard is on. Default <see langword="true"/>; turn it off only when every URL is trusted.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Allow loopback addresses (127.0.0.0/8, ::1), for development and tests. Default <see langword="false"/>.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>
    /// Networks in CIDR notation (for example <c>10.20.0.0/16</c> or <c>fd00::/8</c>) that are allowed although not public,
    /// for receivers inside the host's own network.
    /// </summary>
    public IList<string> AllowedNetworks { get; } = [];

    /// <summary>
    /// The HTTP proxy all webhook requests leave through (a subscription may name its own or go direct), so receivers
    /// see the proxy's addresses; <see langword="null"/> (the default) connects directly. The guard still judges each
    /// request's final destination. The proxy itself may be on a private or loopback address: the host named it.
    /// </summary>
    public WebhookProxy? Proxy { get; set; }

    /// <summary>
    /// Proxies a subscription may name although they are on a private or loopback address, as <c>http://host:port</c>
    /// (for example the host's second egress proxy, <c>http://10.0.0.6:3128</c>). A subscription's proxy that is not
    /// here, and not <see cref="Proxy"/>, must be on a public address.
    /// </summary>
    public IList<string> AllowedProxies { get; } = [];
}
