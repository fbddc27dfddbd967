using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace WebhookSender.AotSmoke;

/// <summary>
/// A bare HTTP/1.1 receiver on 127.0.0.1: one request per connection, answered <c>204</c> and closed. Kestrel would do,
/// but the smoke test is about the sender's packages under native AOT, so the receiver brings as little as it can.
/// </summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    private const int MaxHeadBytes = 64 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<ReceivedRequest> _received = Channel.CreateUnbounded<ReceivedRequest>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LoopbackReceiver()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hooks");

    public ValueTask<ReceivedRequest> ReadAsync(CancellationToken cancellationToken) => _received.Reader.ReadAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream, _stop.Token);
                await stream.WriteAsync("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
                _received.Writer.TryWrite(request);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or FormatException)
            {
                // Reported, not swallowed: a request the receiver cannot read is a failure the smoke test should show.
                Console.Error.WriteLine($"receiver: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private static async Task<ReceivedRequest> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var data = new MemoryStream();
        var chunk = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(data)) < 0)
        {
            int read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0 || data.Length > MaxHeadBytes)
            {
                throw new FormatException("The connection closed (or sent too much) before the request's head ended.");
            }

            data.Write(chunk, 0, read);
        }

        string[] lines = Encoding.ASCII.GetString(data.GetBuffer(), 0, headEnd).Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        if (!headers.TryGetValue("content-length", out string? lengthText))
        {
            throw new FormatException("The request has no content-length (the sender sends bodies of known length).");
        }

        int length = int.Parse(lengthText, CultureInfo.InvariantCulture);
        var body = new byte[length];
        int have = (int)data.Length - (headEnd + 4);
        Array.Copy(data.GetBuffer(), headEnd + 4, body, 0, have);
        await stream.ReadExactlyAsync(body.AsMemory(have), cancellationToken);
        return new ReceivedRequest(requestLine[0], requestLine[1], headers, body);
    }

    private static int IndexOfHeadEnd(MemoryStream data) => data.GetBuffer().AsSpan(0, (int)data.Length).IndexOf("\r\n\r\n"u8);
}
