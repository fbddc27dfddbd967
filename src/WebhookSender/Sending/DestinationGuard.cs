using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace WebhookSender;

/// <summary>
/// The SSRF guard. It runs as <see cref="SocketsHttpHandler.ConnectCallback"/>: the host is resolved once, the addresses
/// are checked, and the socket connects to exactly the checked addresses — so a DNS answer that changes between a check
/// and the connection (DNS rebinding) cannot slip through, and neither can a redirect, which the handler does not follow.
/// </summary>
/// <remarks>
/// HTTP/3 runs over QUIC and does not go through <see cref="SocketsHttpHandler.ConnectCallback"/>: requests sent
/// through <see cref="CreateHandler"/>'s handler must keep HTTP/1.1 or HTTP/2 with
/// <see cref="HttpVersionPolicy.RequestVersionOrLower"/> (the <see cref="HttpClient"/> default), never
/// <see cref="HttpVersionPolicy.RequestVersionOrHigher"/>, which would let an <c>Alt-Svc</c> answer move the request.
/// </remarks>
internal sealed class DestinationGuard
{
    private readonly bool _enabled;
    private readonly bool _allowLoopback;
    private readonly IPNetwork[] _allowedNetworks;

    /// <summary>Creates a guard for <paramref name="options"/>, parsing its allowed networks once.</summary>
    /// <exception cref="ArgumentException">An entry of <see cref="WebhookDestinationOptions.AllowedNetworks"/> is not a CIDR network.</exception>
    public DestinationGuard(WebhookDestinationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        _enabled = options.Enabled;
        _allowLoopback = options.AllowLoopback;
        _allowedNetworks = options.AllowedNetworks
            .Select(entry => TryParseNetwork(entry, out var network)
                ? network
                : throw new ArgumentException(InvalidNetworkMessage(entry), nameof(options)))
            .ToArray();
    }

    /// <summary>
    /// Creates the handler of one transport: no redirects, cookies or decompression; connections recycled every 5 minutes
    /// so DNS changes are seen; the transport's proxy, client certificate and trusted roots; and, when the guard is
    /// enabled, every connection checked by it (through a proxy too: see <see cref="EndpointConnector"/>).
    /// </summary>
    /// <param name="options">The guard's settings.</param>
    /// <param name="transport">The proxy and TLS settings; <see langword="null"/> for the host's default transport.</param>
    /// <exception cref="ArgumentException">An entry of <see cref="WebhookDestinationOptions.AllowedNetworks"/> is not a CIDR network.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The transport's certificate or roots cannot be read.</exception>
    public static SocketsHttpHandler CreateHandler(WebhookDestinationOptions options, EndpointTransport? transport = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        transport ??= EndpointTransport.HostDefault(options);
        var proxy = transport.Proxy;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            // Only a proxy the host or the subscription named; never the environment's (HTTP_PROXY), which would connect
            // on our behalf past the guard.
            UseProxy = proxy is not null,
            Proxy = proxy is null ? null : new PlainHttpProxy(proxy),
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };

        if (TlsCertificates.SslOptionsFor(transport) is { } ssl)
        {
            handler.SslOptions = ssl;
        }

        var guard = options.Enabled ? new DestinationGuard(options) : null;
        if (guard is not null || proxy is not null)
        {
            handler.ConnectCallback = new EndpointConnector(guard, transport).ConnectAsync;
        }

        return handler;
    }

    /// <summary>
    /// Parses an <see cref="WebhookDestinationOptions.AllowedNetworks"/> entry such as <c>10.20.0.0/16</c> or
    /// <c>fd00::/8</c>. An IPv4-mapped IPv6 network (<c>::ffff:10.0.0.0/104</c>) becomes its IPv4 network, since
    /// addresses are compared as IPv4.
    /// </summary>
    public static bool TryParseNetwork([NotNullWhen(true)] string? value, out IPNetwork network)
    {
        var text = value.AsSpan().Trim();
        var slash = text.LastIndexOf('/');

        // IPNetwork.TryParse silently clears bits after the prefix ("10.20.1.0/16" becomes 10.20.0.0/16); an allow list
        // must not be wider than written, so such entries are refused instead.
        if (slash > 0
            && IPNetwork.TryParse(text, out network)
            && IPAddress.TryParse(text[..slash], out var written)
            && written.Equals(network.BaseAddress))
        {
            if (network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96)
            {
                network = new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96);
            }

            return true;
        }

        network = default;
        return false;
    }

    /// <summary>The message for an entry <see cref="TryParseNetwork"/> rejects; shared with the options validator.</summary>
    public static string InvalidNetworkMessage(string? value) =>
        $"WebhookOptions.Destinations.AllowedNetworks contains '{value ?? "(null)"}', which is not a network in CIDR notation. " +
        "Write an address followed by a prefix length, with no bits set after the prefix: for example '10.20.0.0/16', " +
        "'192.168.1.10/32' for a single address, or 'fd00::/8'.";

    /// <summary>
    /// Whether a connection to <paramref name="address"/> is allowed: public addresses always; loopback when
    /// <see cref="WebhookDestinationOptions.AllowLoopback"/>; addresses in an allowed network; everything when the guard
    /// is disabled.
    /// </summary>
    public bool IsAllowed(IPAddress address, out AddressCategory category)
    {
        ArgumentNullException.ThrowIfNull(address);

        category = AddressClassifier.Classify(address);
        if (!_enabled || category == AddressCategory.Public || (category == AddressCategory.Loopback && _allowLoopback))
        {
            return true;
        }

        // ::ffff:10.20.1.1 is 10.20.1.1 on the wire; compare it as such (IPNetwork.Contains misjudges mapped addresses
        // against IPv6 networks).
        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in _allowedNetworks)
        {
            if (network.Contains(normalized))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The <see cref="SocketsHttpHandler.ConnectCallback"/> of a direct connection: resolves the host, keeps the allowed
    /// addresses and connects to the first that accepts.
    /// </summary>
    /// <exception cref="WebhookDestinationRefusedException">No address of the host is allowed; no socket was opened.</exception>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var allowed = await AllowedAddressesAsync(context.DnsEndPoint.Host, cancellationToken).ConfigureAwait(false);
        return await ConnectAnyAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The allowed addresses of <paramref name="host"/>, resolved now.</summary>
    /// <exception cref="WebhookDestinationRefusedException">None is allowed.</exception>
    public async ValueTask<List<IPAddress>> AllowedAddressesAsync(string host, CancellationToken cancellationToken) =>
        SelectAllowed(host, await ResolveAsync(host, cancellationToken).ConfigureAwait(false));

    /// <summary>The addresses of <paramref name="host"/>: itself when it is an IP literal, else what DNS answers.</summary>
    public static async ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.AsSpan().Trim("[]"), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);

    /// <summary>Connects to the first allowed address of <paramref name="addresses"/> that accepts, in order.</summary>
    internal ValueTask<Stream> ConnectAsync(string host, IReadOnlyList<IPAddress> addresses, int port, CancellationToken cancellationToken) =>
        ConnectAnyAsync(SelectAllowed(host, addresses), port, cancellationToken);

    /// <summary>Connects to the first of <paramref name="addresses"/> that accepts, in order.</summary>
    public static async ValueTask<Stream> ConnectAnyAsync(IReadOnlyList<IPAddress> addresses, int port, CancellationToken cancellationToken)
    {
        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            Socket? socket = null;
            try
            {
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                // Refused, unreachable, or an address family this host lacks: try the next address.
                socket?.Dispose();
                lastError = ex;
            }
            catch
            {
                socket?.Dispose();
                throw;
            }
        }

        // Every address failed: report the last failure, as SocketsHttpHandler itself would.
        throw lastError ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>
    /// The allowed addresses among <paramref name="addresses"/>, in order, IPv4-mapped ones as IPv4.
    /// </summary>
    /// <exception cref="WebhookDestinationRefusedException">None is allowed.</exception>
    /// <exception cref="SocketException"><paramref name="addresses"/> is empty: the host has no address.</exception>
    /// <param name="host">The host, for the message.</param>
    /// <param name="addresses">Its addresses.</param>
    /// <param name="isProxy">Whether the host is a proxy a subscription named (the message says so).</param>
    internal List<IPAddress> SelectAllowed(string host, IReadOnlyList<IPAddress> addresses, bool isProxy = false)
    {
        var allowed = new List<IPAddress>(addresses.Count);
        List<(IPAddress Address, AddressCategory Category)>? refused = null;
        foreach (var address in addresses)
        {
            if (IsAllowed(address, out var category))
            {
                allowed.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
            }
            else
            {
                (refused ??= []).Add((address, category));
            }
        }

        if (allowed.Count == 0)
        {
            throw refused is null
                ? new SocketException((int)SocketError.HostNotFound)
                : new WebhookDestinationRefusedException(host, refused, isProxy);
        }

        return allowed;
    }
}
