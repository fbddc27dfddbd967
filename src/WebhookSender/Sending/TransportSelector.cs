using System.Security.Cryptography;

namespace WebhookSender;

/// <summary>
/// The primary handler of the webhook client: sends each request through the connection pool of its
/// <see cref="EndpointTransport"/> (set by the sender in the request's options). One <see cref="SocketsHttpHandler"/>
/// cannot choose a client certificate, trusted roots or proxy per request, so each combination gets its own; requests
/// without settings of their own share the host's default pool.
/// </summary>
internal sealed class TransportSelector : HttpMessageHandler
{
    private readonly WebhookDestinationOptions _options;
    private readonly Action<SocketsHttpHandler> _configure;
    private readonly EndpointTransport _hostDefault;
    private readonly HttpMessageInvoker _defaultPool;
    private readonly DestinationGuard? _guard;
    private readonly Dictionary<string, HttpMessageInvoker> _pools = new(StringComparer.Ordinal);

    /// <param name="options">The guard's settings and the host's proxy.</param>
    /// <param name="configure">Applied to every pool's handler (trace headers, for one).</param>
    public TransportSelector(WebhookDestinationOptions options, Action<SocketsHttpHandler> configure)
    {
        _options = options;
        _configure = configure;
        _hostDefault = EndpointTransport.HostDefault(options);
        _guard = options.Enabled ? new DestinationGuard(options) : null;
        _defaultPool = CreatePool(_hostDefault);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var transport = request.Options.TryGetValue(EndpointTransport.OptionKey, out var own) ? own : _hostDefault;
        if (transport.Proxy is not null && _guard is not null && request.RequestUri?.Scheme == Uri.UriSchemeHttp)
        {
            return GuardedSendAsync(transport, request, cancellationToken);
        }

        // The common case hands the request on without a state machine of its own.
        return PoolFor(transport).SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// A proxy request's connection goes to the proxy and is shared by every destination, so the connect-time guard never
    /// sees this one: it is judged here, per request. (The proxy resolves the name again; https, tunnelled to the address
    /// judged, leaves no such gap.)
    /// </summary>
    private async Task<HttpResponseMessage> GuardedSendAsync(EndpointTransport transport, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await _guard!.AllowedAddressesAsync(request.RequestUri!.IdnHost, cancellationToken).ConfigureAwait(false);
        return await PoolFor(transport).SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private HttpMessageInvoker PoolFor(EndpointTransport transport) => transport.IsHostDefault ? _defaultPool : PoolOf(transport);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _defaultPool.Dispose();
            lock (_pools)
            {
                foreach (var pool in _pools.Values)
                {
                    pool.Dispose();
                }

                _pools.Clear();
            }
        }

        base.Dispose(disposing);
    }

    private HttpMessageInvoker PoolOf(EndpointTransport transport)
    {
        lock (_pools)
        {
            if (!_pools.TryGetValue(transport.Key, out var pool))
            {
                // Made under the lock: rare (once per subscription with settings of its own, per handler lifetime), and a
                // certificate that cannot be read fails each request that needs it, not the others.
                _pools[transport.Key] = pool = CreatePool(transport);
            }

            return pool;
        }
    }

    private HttpMessageInvoker CreatePool(EndpointTransport transport)
    {
        SocketsHttpHandler handler;
        try
        {
            handler = DestinationGuard.CreateHandler(_options, transport);
        }
        catch (CryptographicException ex)
        {
            throw new HttpRequestException(
                HttpRequestError.SecureConnectionError,
                $"The subscription's client certificate or trusted roots cannot be used ({ex.Message}); update the subscription with a valid certificate.");
        }

        _configure(handler);
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }
}
