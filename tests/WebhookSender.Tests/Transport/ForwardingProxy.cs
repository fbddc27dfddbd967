using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WebhookSender.Tests.Transport;

/// <summary>
/// An HTTP forward proxy of the tests' own on 127.0.0.1: <c>CONNECT</c> opens a tunnel, an absolute-form request is
/// forwarded (one request per connection). It counts both, records their targets, and may demand Basic credentials.
/// It only ever connects to loopback targets: anything else is answered 403.
/// </summary>
internal sealed class ForwardingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connects;
    private int _plain;
    private int _connections;

    private ForwardingProxy()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Tunnels asked for.</summary>
    public int Connects => Volatile.Read(ref _connects);

    /// <summary>Plain (absolute-form) requests forwarded.</summary>
    public int PlainRequests => Volatile.Read(ref _plain);

    /// <summary>Connections accepted, whatever came on them.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The request targets, in order: <c>CONNECT 127.0.0.1:5001</c>, <c>POST http://…</c>.</summary>
    public ConcurrentQueue<string> Targets { get; } = new();

    /// <summary>The <c>Proxy-Authorization</c> values received.</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    /// <summary>When set, requests without <c>Proxy-Authorization: Basic base64(user:password)</c> of these get 407.</summary>
    public (string User, string Password)? RequiredCredentials { get; set; }

    /// <summary>When set, every CONNECT is answered with this status instead of a tunnel.</summary>
    public int? RefuseConnectWith { get; set; }

    public static ForwardingProxy Start() => new();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                var (requestLine, headers) = await ReadHeadAsync(stream);
                var parts = requestLine.Split(' ');
                Targets.Enqueue($"{parts[0]} {parts[1]}");
                var auth = headers.FirstOrDefault(h => h.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase));
                if (auth is not null)
                {
                    Authorizations.Enqueue(auth["Proxy-Authorization:".Length..].Trim());
                }

                if (RequiredCredentials is { } required && auth?["Proxy-Authorization:".Length..].Trim() != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{required.User}:{required.Password}")))
                {
                    await WriteAsync(stream, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"tests\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }

                if (parts[0] == "CONNECT")
                {
                    Interlocked.Increment(ref _connects);
                    await TunnelAsync(stream, parts[1]);
                }
                else
                {
                    Interlocked.Increment(ref _plain);
                    await ForwardAsync(stream, parts, headers);
                }
            }
            catch (Exception)
            {
                // A client that went away; nothing to do.
            }
        }
    }

    private async Task TunnelAsync(NetworkStream stream, string authority)
    {
        if (RefuseConnectWith is { } status)
        {
            await WriteAsync(stream, $"HTTP/1.1 {status} Refused By Test Proxy\r\nContent-Length: 0\r\n\r\n");
            return;
        }

        var target = ParseLoopback(authority);
        if (target is null)
        {
            await WriteAsync(stream, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
            return;
        }

        using var upstream = new TcpClient(target.AddressFamily);
        await upstream.ConnectAsync(target);
        await WriteAsync(stream, "HTTP/1.1 200 Connection Established\r\n\r\n");
        await PipeAsync(stream, upstream.GetStream());
    }

    private async Task ForwardAsync(NetworkStream stream, string[] requestLine, List<string> headers)
    {
        var url = new Uri(requestLine[1]);
        var target = ParseLoopback($"{url.Host}:{url.Port}");
        if (target is null)
        {
            await WriteAsync(stream, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }

        using var upstream = new TcpClient(target.AddressFamily);
        await upstream.ConnectAsync(target);
        var head = new StringBuilder($"{requestLine[0]} {url.PathAndQuery} {requestLine[2]}\r\n");
        foreach (var header in headers.Where(h => !h.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) && !h.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append(header).Append("\r\n");
        }

        await WriteAsync(upstream.GetStream(), head.Append("Connection: close\r\n\r\n").ToString());
        await PipeAsync(stream, upstream.GetStream());
    }

    /// <summary>Copies both ways until one side closes.</summary>
    private static async Task PipeAsync(NetworkStream client, NetworkStream upstream)
    {
        var up = client.CopyToAsync(upstream);
        var down = upstream.CopyToAsync(client);
        await Task.WhenAny(up, down);
    }

    private static IPEndPoint? ParseLoopback(string authority)
    {
        int colon = authority.LastIndexOf(':');
        string host = authority[..colon].Trim('[', ']');
        int port = int.Parse(authority[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        return address is not null && IPAddress.IsLoopback(address) ? new IPEndPoint(address, port) : null;
    }

    private static async Task<(string RequestLine, List<string> Headers)> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("closed");
            }

            bytes.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. bytes]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        return (lines[0], [.. lines.Skip(1)]);
    }

    private static Task WriteAsync(Stream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();
}
