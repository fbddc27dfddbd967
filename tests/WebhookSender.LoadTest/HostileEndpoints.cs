using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WebhookSender.LoadTest;

/// <summary>
/// Endpoints on 127.0.0.1 that never deliver, one kind each: a port where nothing listens (connections refused), a
/// listener that accepts and never answers, one that sends its status line a byte every half second (slowloris), and
/// one that answers 200 with a long body dripped a byte every half second.
/// </summary>
internal sealed class HostileEndpoints : IAsyncDisposable
{
    public static readonly string[] Kinds = ["refused", "silent", "slow-headers", "drip-body"];

    private static readonly TimeSpan Drip = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpListener> _listeners = [];
    private readonly List<Task> _accepting = [];
    private readonly Dictionary<string, Uri> _urls = [];

    public HostileEndpoints()
    {
        // Bound, then closed at once: the port refuses connections (nothing else on this machine takes it in a run).
        var refused = new TcpListener(IPAddress.Loopback, 0);
        refused.Start();
        _urls["refused"] = new Uri($"http://127.0.0.1:{((IPEndPoint)refused.LocalEndpoint).Port}/");
        refused.Stop();

        Listen("silent", SilentAsync);
        Listen("slow-headers", SlowHeadersAsync);
        Listen("drip-body", DripBodyAsync);
    }

    /// <summary>The URL of the endpoint of kind <paramref name="kind"/>, with <paramref name="path"/>.</summary>
    public Uri UrlFor(string kind, string path) => new(_urls[kind], path);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Stop();
        }

        await Task.WhenAll(_accepting).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private void Listen(string kind, Func<NetworkStream, CancellationToken, Task> behave)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(1024);
        _listeners.Add(listener);
        _urls[kind] = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        _accepting.Add(AcceptAsync(listener, behave));
    }

    private async Task AcceptAsync(TcpListener listener, Func<NetworkStream, CancellationToken, Task> behave)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = ServeAsync(client, behave);
        }
    }

    private async Task ServeAsync(TcpClient client, Func<NetworkStream, CancellationToken, Task> behave)
    {
        using (client)
        {
            try
            {
                await behave(client.GetStream(), _stop.Token);
            }
            catch (Exception)
            {
                // The sender gave up (its attempt timed out) or the run ended.
            }
        }
    }

    private static async Task SilentAsync(NetworkStream stream, CancellationToken stop)
    {
        // Reads whatever comes and never answers, until the sender closes the connection.
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer, stop) > 0)
        {
        }
    }

    private static async Task SlowHeadersAsync(NetworkStream stream, CancellationToken stop)
    {
        byte[] line = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        await ReadRequestHeadAsync(stream, stop);
        for (int i = 0; ; i = (i + 1) % line.Length)
        {
            await stream.WriteAsync(line.AsMemory(i, 1), stop);
            await Task.Delay(Drip, stop);
        }
    }

    private static async Task DripBodyAsync(NetworkStream stream, CancellationToken stop)
    {
        await ReadRequestHeadAsync(stream, stop);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"), stop);
        byte[] one = [(byte)'x'];
        while (true)
        {
            await stream.WriteAsync(one, stop);
            await Task.Delay(Drip, stop);
        }
    }

    private static async Task ReadRequestHeadAsync(NetworkStream stream, CancellationToken stop)
    {
        // Enough to see the request arrive; what follows is never read.
        var buffer = new byte[4096];
        await stream.ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: true, stop);
    }
}
