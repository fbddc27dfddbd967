using System.Net;

namespace WebhookSender;

/// <summary>
/// The <see cref="IWebProxy"/> of a transport with a proxy: http requests are sent to the proxy as proxy requests; https
/// requests bypass it here, because <see cref="EndpointConnector"/> tunnels them through it itself.
/// </summary>
internal sealed class PlainHttpProxy(WebhookProxy proxy) : IWebProxy
{
    public ICredentials? Credentials { get; set; } = proxy.Username is { } username ? new NetworkCredential(username, proxy.Password) : null;

    public Uri? GetProxy(Uri destination) => proxy.Url;

    public bool IsBypassed(Uri host) => host.Scheme != Uri.UriSchemeHttp;
}
