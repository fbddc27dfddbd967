using System.Net;
using System.Text;

namespace WebhookSender;

/// <summary>
/// Opens a <c>CONNECT</c> tunnel through an HTTP proxy (RFC 9110 section 9.3.6) on a connection to it. WebhookSender
/// opens its own tunnels rather than letting the HTTP client do it, so the tunnel goes to the address the destination
/// guard allowed, not to a name the proxy would resolve again.
/// </summary>
internal static class ProxyTunnel
{
    private const int MaxResponseHeaderBytes = 16 * 1024;

    /// <summary>Asks the proxy for a tunnel to <paramref name="target"/>:<paramref name="port"/> and returns once it is open.</summary>
    /// <param name="connection">A connection to the proxy.</param>
    /// <param name="target">An address the guard allowed (or the host name, when the guard is off).</param>
    /// <param name="port">The destination port.</param>
    /// <param name="host">The destination's host name, for messages.</param>
    /// <param name="proxy">The proxy, with its credentials.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <exception cref="HttpRequestException">The proxy refused (<see cref="HttpRequestException.StatusCode"/> says how) or did not answer in HTTP.</exception>
    public static async ValueTask OpenAsync(Stream connection, string target, int port, string host, WebhookProxy proxy, CancellationToken cancellationToken)
    {
        string authority = target.Contains(':', StringComparison.Ordinal) ? $"[{target}]:{port}" : $"{target}:{port}";
        var request = new StringBuilder().Append("CONNECT ").Append(authority).Append(" HTTP/1.1\r\nHost: ").Append(authority).Append("\r\n");
        if (proxy.Username is { } username)
        {
            var pair = Encoding.UTF8.GetBytes($"{username}:{proxy.Password}");
            request.Append("Proxy-Authorization: Basic ").Append(Convert.ToBase64String(pair)).Append("\r\n");
        }

        await connection.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), cancellationToken).ConfigureAwait(false);
        string statusLine = await ReadHeadAsync(connection, proxy, cancellationToken).ConfigureAwait(false);

        // "HTTP/1.1 200 Connection established"
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], out int status))
        {
            throw new HttpRequestException(HttpRequestError.ProxyTunnelError, $"The proxy {proxy.Url!.Authority} did not answer CONNECT in HTTP/1.1; check WebhookProxy.Url names an HTTP proxy.");
        }

        if (status is >= 200 and < 300)
        {
            return;
        }

        string destination = target == host ? $"{host}:{port}" : $"{host} ({target}) port {port}";
        string reason = parts.Length > 2 ? $"{status} {parts[2].Trim()}" : status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string message = status switch
        {
            407 when proxy.Username is null => $"The proxy {proxy.Url!.Authority} asks for credentials ({reason}); give the proxy a Username and Password.",
            407 => $"The proxy {proxy.Url!.Authority} refused its credentials ({reason}); check the proxy's Username and Password.",
            _ => $"The proxy {proxy.Url!.Authority} would not open a tunnel to {destination}: {reason}.",
        };
        throw new HttpRequestException(HttpRequestError.ProxyTunnelError, message, inner: null, (HttpStatusCode)status);
    }

    /// <summary>Reads the proxy's answer up to its blank line (never past it: the TLS handshake follows) and returns its status line.</summary>
    private static async ValueTask<string> ReadHeadAsync(Stream connection, WebhookProxy proxy, CancellationToken cancellationToken)
    {
        var head = new byte[MaxResponseHeaderBytes];
        int length = 0;
        while (length < 4 || !head.AsSpan(length - 4, 4).SequenceEqual("\r\n\r\n"u8))
        {
            if (length == head.Length)
            {
                throw new HttpRequestException(HttpRequestError.ProxyTunnelError, $"The proxy {proxy.Url!.Authority} answered CONNECT with more than {MaxResponseHeaderBytes / 1024} KiB of headers.");
            }

            // One byte at a time: the answer is a few dozen bytes, once per connection.
            if (await connection.ReadAsync(head.AsMemory(length, 1), cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new HttpRequestException(HttpRequestError.ProxyTunnelError, $"The proxy {proxy.Url!.Authority} closed the connection instead of answering CONNECT.");
            }

            length++;
        }

        int end = head.AsSpan(0, length).IndexOf("\r\n"u8);
        return Encoding.ASCII.GetString(head, 0, end);
    }
}
