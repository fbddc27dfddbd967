using System.Net;
using System.Net.Http;

namespace WebhookSender;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of a transport: a direct connection goes to the addresses the
/// guard allowed; through a proxy, https goes through a tunnel to such an address and http to the proxy itself (whose
/// requests <see cref="TransportSelector"/> judged). The proxy's own address is judged too, unless the host named it.
/// </summary>
internal sealed class EndpointConnector(DestinationGuard? guard, EndpointTransport transport)
{
    // Statuses a proxy gives when it could not reach one address: the next address may work.
    private static readonly HashSet<HttpStatusCode?> TryNextAddress = [HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout];

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string host = context.DnsEndPoint.Host;
        int port = context.DnsEndPoint.Port;
        if (transport.Proxy is not { Url: { } proxyUrl } proxy)
        {
            return await DestinationGuard.ConnectAnyAsync(await guard!.AllowedAddressesAsync(host, cancellationToken).ConfigureAwait(false), port, cancellationToken).ConfigureAwait(false);
        }

        if (context.InitialRequestMessage.RequestUri?.Scheme == Uri.UriSchemeHttp)
        {
            // A connection for proxy requests: it goes to the proxy.
            return await ConnectToProxyAsync(proxyUrl, cancellationToken).ConfigureAwait(false);
        }

        IEnumerable<string> targets = guard is null
            ? [host]
            : (await guard.AllowedAddressesAsync(host, cancellationToken).ConfigureAwait(false)).Select(address => address.ToString());
        HttpRequestException? lastError = null;
        foreach (string target in targets)
        {
            var stream = await ConnectToProxyAsync(proxyUrl, cancellationToken).ConfigureAwait(false);
            try
            {
                await ProxyTunnel.OpenAsync(stream, target, port, host, proxy, cancellationToken).ConfigureAwait(false);
                return stream;
            }
            catch (HttpRequestException ex) when (TryNextAddress.Contains(ex.StatusCode))
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                lastError = ex;
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        throw lastError!;
    }

    private async ValueTask<Stream> ConnectToProxyAsync(Uri proxy, CancellationToken cancellationToken)
    {
        var addresses = await DestinationGuard.ResolveAsync(proxy.IdnHost, cancellationToken).ConfigureAwait(false);
        if (guard is not null && !transport.ProxyNamedByHost)
        {
            addresses = guard.SelectAllowed(proxy.IdnHost, addresses, isProxy: true);
        }

        return await DestinationGuard.ConnectAnyAsync(addresses, proxy.Port, cancellationToken).ConfigureAwait(false);
    }
}
