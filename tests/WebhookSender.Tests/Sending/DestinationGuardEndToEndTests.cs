using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WebhookSender.Tests.Sending;

// Real connections, to 127.0.0.1 / ::1 only.
public sealed class DestinationGuardEndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Loopback_literal_is_refused_without_connecting()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = CreateClient(new WebhookDestinationOptions { AllowLoopback = false });

        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(
            () => client.GetAsync($"http://127.0.0.1:{port}/hooks/orders?token=s3cr3t"));

        var refusal = FindRefusal(error);
        Assert.Contains("127.0.0.1", refusal.Message);
        Assert.Contains("loopback", refusal.Message);
        Assert.Equal("127.0.0.1", refusal.Host);
        Assert.Equal([IPAddress.Loopback], refusal.RefusedAddresses);
        AssertNoUrlSecrets(error);

        // Nothing reached the listener: no connection waits to be accepted (and none was accepted, we never called Accept).
        Assert.False(listener.Pending());

        // Control: a real connection does show up as pending, so the assertion above can fail.
        using var probe = new TcpClient();
        await probe.ConnectAsync(IPAddress.Loopback, port);
        Assert.True(await EventuallyAsync(listener.Pending));
    }

    [Fact]
    public async Task Localhost_is_refused_without_connecting()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = CreateClient(new WebhookDestinationOptions());

        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(
            () => client.GetAsync($"http://localhost:{port}/hooks?token=s3cr3t"));

        var refusal = FindRefusal(error);
        Assert.StartsWith("Refused to connect to localhost (", refusal.Message);
        Assert.Contains("loopback", refusal.Message);
        Assert.Equal("localhost", refusal.Host);
        Assert.NotEmpty(refusal.RefusedAddresses);
        Assert.All(refusal.RefusedAddresses, address => Assert.True(IPAddress.IsLoopback(address)));
        AssertNoUrlSecrets(error);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task IPv6_loopback_literal_is_refused()
    {
        using var client = CreateClient(new WebhookDestinationOptions());

        // Refused before any socket exists; were it not, the connection could only go to ::1.
        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync("http://[::1]:9/"));

        var refusal = FindRefusal(error);
        Assert.Equal([IPAddress.IPv6Loopback], refusal.RefusedAddresses);
        Assert.Contains("::1", refusal.Message);
        Assert.Contains("loopback", refusal.Message);
    }

    [Fact]
    public async Task AllowLoopback_reaches_a_loopback_receiver()
    {
        await using var server = new TinyHttpServer();
        using var client = CreateClient(new WebhookDestinationOptions { AllowLoopback = true });

        using var response = await client.GetAsync($"http://127.0.0.1:{server.Port}/hooks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task AllowLoopback_reaches_a_loopback_receiver_by_name()
    {
        // localhost may resolve to ::1 first, where nothing listens: the guard then tries the next address.
        await using var server = new TinyHttpServer();
        using var client = CreateClient(new WebhookDestinationOptions { AllowLoopback = true });

        using var response = await client.GetAsync($"http://localhost:{server.Port}/hooks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task AllowedNetworks_reach_a_receiver_inside_them()
    {
        await using var server = new TinyHttpServer();
        using var client = CreateClient(new WebhookDestinationOptions { AllowedNetworks = { "127.0.0.0/8" } });

        using var response = await client.GetAsync($"http://127.0.0.1:{server.Port}/hooks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task Disabled_guard_connects_anywhere()
    {
        await using var server = new TinyHttpServer();
        using var client = CreateClient(new WebhookDestinationOptions { Enabled = false });

        using var response = await client.GetAsync($"http://127.0.0.1:{server.Port}/hooks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task Refused_destination_never_reaches_the_receiver()
    {
        await using var server = new TinyHttpServer();
        using var client = CreateClient(new WebhookDestinationOptions());

        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(
            () => client.GetAsync($"http://127.0.0.1:{server.Port}/hooks"));

        FindRefusal(error);
        Assert.Equal(0, server.Accepted);
    }

    [Fact]
    public async Task Connect_tries_the_next_allowed_address_when_one_fails()
    {
        // Nothing listens on [::1]:port (or this host has no IPv6): the guard moves on to 127.0.0.1.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var guard = new DestinationGuard(new WebhookDestinationOptions { AllowLoopback = true });

        await using var stream = await guard.ConnectAsync(
            "localhost", [IPAddress.IPv6Loopback, IPAddress.Loopback], port, CancellationToken.None);

        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(Deadline);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)accepted.Client.RemoteEndPoint!).Address);
        Assert.IsType<NetworkStream>(stream);
    }

    [Fact]
    public async Task Connect_reports_the_failure_when_no_allowed_address_accepts()
    {
        // Take a free port, then close it: connecting to it is refused.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var guard = new DestinationGuard(new WebhookDestinationOptions { AllowLoopback = true });

        var error = await Assert.ThrowsAsync<SocketException>(
            async () => await guard.ConnectAsync("localhost", [IPAddress.Loopback], port, CancellationToken.None));

        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    private static HttpClient CreateClient(WebhookDestinationOptions options) =>
        new(DestinationGuard.CreateHandler(options)) { Timeout = Deadline };

    private static WebhookDestinationRefusedException FindRefusal(Exception error)
    {
        var chain = new List<Exception>();
        for (var current = error; current is not null; current = current.InnerException)
        {
            chain.Add(current);
        }

        return Assert.Single(chain.OfType<WebhookDestinationRefusedException>());
    }

    private static void AssertNoUrlSecrets(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            Assert.DoesNotContain("s3cr3t", current.Message);
            Assert.DoesNotContain("token", current.Message);
            Assert.DoesNotContain("/hooks", current.Message);
        }
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    /// <summary>A raw HTTP/1.1 receiver on 127.0.0.1 that answers every request with an empty 200 and closes.</summary>
    private sealed class TinyHttpServer : IAsyncDisposable
    {
        private static readonly byte[] Response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();

        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        private int _accepted;

        public TinyHttpServer()
        {
            _listener.Start();
            _serving = ServeAsync(_stop.Token);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _listener.Dispose();
            _stop.Dispose();
        }

        private async Task ServeAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                TcpClient connection;
                try
                {
                    connection = await _listener.AcceptTcpClientAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return; // stopped; a stop between two accepts surfaces as "Not listening"
                }

                Interlocked.Increment(ref _accepted);
                using (connection)
                {
                    try
                    {
                        var stream = connection.GetStream();
                        await ReadRequestHeadAsync(stream, cancellationToken);
                        await stream.WriteAsync(Response, cancellationToken);
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException)
                    {
                        // The client went away; the test asserts on what it saw.
                    }
                }
            }
        }

        private static async Task ReadRequestHeadAsync(Stream stream, CancellationToken cancellationToken)
        {
            // GET requests only: the request ends with the blank line after the headers.
            var buffer = new byte[1];
            uint last4 = 0;
            while (last4 != 0x0D0A0D0A)
            {
                if (await stream.ReadAsync(buffer, cancellationToken) == 0)
                {
                    return;
                }

                last4 = (last4 << 8) | buffer[0];
            }
        }
    }
}
