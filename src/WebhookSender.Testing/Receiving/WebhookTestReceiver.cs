using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace WebhookSender.Testing;

/// <summary>
/// A real HTTP server (Kestrel) on <c>http://127.0.0.1:&lt;free port&gt;</c> that records every request it receives
/// and answers with scripted responses, for end-to-end tests of webhook delivery.
/// </summary>
/// <remarks>
/// <para>
/// Every request to any path is recorded as a <see cref="ReceivedWebhook"/> before its response runs, so a request
/// that is answered with <see cref="ReceiverResponse.Hang"/> or <see cref="ReceiverResponse.Reset"/> still counts.
/// Unscripted paths answer 200 with an empty body.
/// </para>
/// <para>
/// The server listens on the IPv4 loopback address only and ignores <c>ASPNETCORE_URLS</c> and similar settings.
/// All members are thread-safe. Dispose the receiver to stop the server; recorded requests stay readable afterwards.
/// </para>
/// </remarks>
public sealed class WebhookTestReceiver : IAsyncDisposable
{
    // Long enough for a normal graceful stop, short enough that a stuck test does not hang the run.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly List<ReceivedWebhook> _received = [];
    private readonly Dictionary<string, int> _countsByPath = new(StringComparer.Ordinal);
    private readonly List<Waiter> _waiters = [];
    private readonly ConcurrentDictionary<string, Func<ReceivedWebhook, ReceiverResponse>> _responders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StandardWebhookVerifier> _verifiers = new(StringComparer.Ordinal);

    // Cancelled on disposal so that hanging or streaming responses end at once instead of delaying Kestrel's stop.
    // Never disposed: a request still finishing after a timed-out stop may read its token.
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _timeProvider = TimeProvider.System;

    private WebApplication? _app;
    private int _disposed;

    private WebhookTestReceiver()
    {
    }

    /// <summary>The receiver's root URL, for example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A snapshot of every request received so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Received
    {
        get
        {
            lock (_gate)
            {
                return Snapshot();
            }
        }
    }

    /// <summary>The distinct <c>webhook-id</c> values received so far, in order of first arrival.</summary>
    public IReadOnlyList<string> DistinctWebhookIds =>
        Received.Select(received => received.WebhookId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Starts a receiver on a free port of 127.0.0.1.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running receiver; dispose it to stop the server.</returns>
    public static async Task<WebhookTestReceiver> StartAsync(CancellationToken cancellationToken = default)
    {
        var receiver = new WebhookTestReceiver();

        // The empty builder reads no appsettings.json and registers no logging providers, so the receiver neither
        // watches files nor writes to the test output.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(WebhookTestReceiver).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;

            // An explicit endpoint overrides any configured URLs: loopback only, never another interface.
            options.Listen(IPAddress.Loopback, 0);
        });
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = StopTimeout);

        var app = builder.Build();
        app.Run(receiver.HandleAsync);

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            receiver.BaseAddress = new Uri(addresses.Single().TrimEnd('/') + "/", UriKind.Absolute);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        receiver._app = app;
        return receiver;
    }

    /// <summary>Builds an absolute URL on this receiver.</summary>
    /// <param name="path">A path, with or without its leading slash, optionally with a query string, for example <c>/hooks/orders</c>.</param>
    /// <returns>The URL, for example <c>http://127.0.0.1:41234/hooks/orders</c>.</returns>
    public Uri UrlFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);

        return new Uri(BaseAddress, path.StartsWith('/') ? path : "/" + path);
    }

    /// <summary>A snapshot of the requests received on one path, in arrival order.</summary>
    /// <param name="path">The path without query string, for example <c>/hooks/orders</c>; the leading slash is optional.</param>
    /// <returns>The requests whose path (query string ignored) equals <paramref name="path"/>, compared case-sensitively.</returns>
    public IReadOnlyList<ReceivedWebhook> ReceivedOn(string path)
    {
        var routePath = NormalizePath(path);
        return Received.Where(received => received.RoutePath == routePath).ToArray();
    }

    /// <summary>Scripts the responses on one path, replacing any earlier script for it.</summary>
    /// <param name="path">The path without query string; the leading slash is optional.</param>
    /// <param name="responder">
    /// Chooses the response for each recorded request, for example
    /// <c>r =&gt; r.AttemptNumberForPath &lt; 3 ? ReceiverResponse.Status(500) : ReceiverResponse.Ok()</c>.
    /// It runs on the server's threads; if it throws, the client gets a 500.
    /// </param>
    public void Respond(string path, Func<ReceivedWebhook, ReceiverResponse> responder)
    {
        ArgumentNullException.ThrowIfNull(responder);

        _responders[NormalizePath(path)] = responder;
    }

    /// <summary>Answers every request on one path with the same response, replacing any earlier script for it.</summary>
    /// <param name="path">The path without query string; the leading slash is optional.</param>
    /// <param name="response">The response, for example <c>ReceiverResponse.FailTimesThenOk(2)</c>.</param>
    public void Respond(string path, ReceiverResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);

        Respond(path, _ => response);
    }

    /// <summary>
    /// Checks the Standard Webhooks signature of every later request on one path with this secret, setting
    /// <see cref="ReceivedWebhook.SignatureValid"/>. Requests recorded earlier are not re-checked.
    /// </summary>
    /// <param name="path">The path without query string; the leading slash is optional.</param>
    /// <param name="secret">The endpoint secret, <c>whsec_…</c> or raw base64.</param>
    /// <exception cref="ArgumentException">The secret is not valid base64.</exception>
    public void UseSecret(string path, string secret)
    {
        var routePath = NormalizePath(path);
        _verifiers[routePath] = new StandardWebhookVerifier(secret);
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds over all requests received so far. The condition is checked at
    /// once and again on every arrival (never by polling), one evaluation at a time, so it may be any pure function of
    /// the list.
    /// </summary>
    /// <param name="condition">For example <c>all =&gt; all.Count(r =&gt; r.Path == "/a") &gt;= 3</c>.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The requests for which the condition first held.</returns>
    /// <exception cref="TimeoutException">The condition did not hold in time; the message lists what was received per path.</exception>
    public Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(
        Func<IReadOnlyList<ReceivedWebhook>, bool> condition,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);

        return WaitCoreAsync(condition, ValidateTimeout(timeout), "the condition", cancellationToken);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived on <paramref name="path"/>.</summary>
    /// <param name="path">The path without query string; the leading slash is optional.</param>
    /// <param name="count">The number of requests to wait for, at least 1.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The requests received on the path at that moment (at least <paramref name="count"/>).</returns>
    /// <exception cref="TimeoutException">Fewer requests arrived in time; the message lists what was received per path.</exception>
    public Task<IReadOnlyList<ReceivedWebhook>> WaitForCountAsync(string path, int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var routePath = NormalizePath(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        return WaitForCountCoreAsync(routePath, count, ValidateTimeout(timeout), cancellationToken);
    }

    /// <summary>
    /// Stops the server within about two seconds: responses that hang or stream are cut off, and pending waits fail
    /// with <see cref="ObjectDisposedException"/>. Recorded requests stay readable.
    /// </summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is { } app)
        {
            using (var timeout = new CancellationTokenSource(StopTimeout))
            {
                try
                {
                    await app.StopAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Kestrel aborts the remaining connections when the token fires; nothing more to do.
                }
            }

            await app.DisposeAsync().ConfigureAwait(false);
        }

        Waiter[] pending;
        lock (_gate)
        {
            pending = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in pending)
        {
            waiter.Fail(new ObjectDisposedException(nameof(WebhookTestReceiver), "The receiver was disposed while a wait was pending."));
        }
    }

    private static string NormalizePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.AsSpan().IndexOfAny('?', '#') >= 0)
        {
            throw new ArgumentException(
                $"Pass the path without query string or fragment (got '{path}'); requests are matched on their path alone.",
                nameof(path));
        }

        return path.StartsWith('/') ? path : "/" + path;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var requestStopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var cancellationToken = requestStopping.Token;
        var request = context.Request;

        byte[] body;
        try
        {
            // Not cancelled by RequestAborted: a request whose body fully arrived counts as received even when the
            // client has already given up (a short client timeout racing the server must not lose the record).
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, _stopping.Token).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The client disconnected mid-body or the receiver is stopping: there is no complete request to record.
            context.Abort();
            return;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(", ", (IEnumerable<string?>)header.Value);
        }

        var routePath = request.Path.HasValue ? request.Path.Value! : "/";
        bool? signatureValid = null;
        if (_verifiers.TryGetValue(routePath, out var verifier))
        {
            signatureValid = headers.TryGetValue("webhook-id", out var id)
                && headers.TryGetValue("webhook-timestamp", out var timestamp)
                && headers.TryGetValue("webhook-signature", out var signature)
                && verifier.Verify(id, timestamp, signature, body);
        }

        var received = Record(request.Method, routePath, routePath + request.QueryString.Value, new ReadOnlyDictionary<string, string>(headers), body, signatureValid);

        var response = _responders.TryGetValue(routePath, out var responder) ? responder(received) : ReceiverResponse.Ok();
        await response.ExecuteAsync(context, received, cancellationToken).ConfigureAwait(false);
    }

    private ReceivedWebhook Record(
        string method,
        string routePath,
        string path,
        IReadOnlyDictionary<string, string> headers,
        byte[] body,
        bool? signatureValid)
    {
        lock (_gate)
        {
            var attempt = _countsByPath.GetValueOrDefault(routePath) + 1;
            _countsByPath[routePath] = attempt;

            var received = new ReceivedWebhook(method, routePath, path, headers, body, _timeProvider.GetUtcNow(), attempt, signatureValid);
            _received.Add(received);

            if (_waiters.Count > 0)
            {
                var snapshot = Snapshot();
                _waiters.RemoveAll(waiter => waiter.TryComplete(snapshot));
            }

            return received;
        }
    }

    private static TimeSpan ValidateTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        return timeout;
    }

    private async Task<IReadOnlyList<ReceivedWebhook>> WaitForCountCoreAsync(string routePath, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var all = await WaitCoreAsync(
            received => received.Count(r => r.RoutePath == routePath) >= count,
            timeout,
            string.Create(CultureInfo.InvariantCulture, $"{count} request(s) on '{routePath}'"),
            cancellationToken).ConfigureAwait(false);
        return all.Where(received => received.RoutePath == routePath).ToArray();
    }

    private async Task<IReadOnlyList<ReceivedWebhook>> WaitCoreAsync(
        Func<IReadOnlyList<ReceivedWebhook>, bool> condition,
        TimeSpan timeout,
        string goal,
        CancellationToken cancellationToken)
    {
        var waiter = new Waiter(condition);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

            // Registering and checking under the same lock as Record means no arrival can slip between the two.
            if (!waiter.TryComplete(Snapshot()))
            {
                _waiters.Add(waiter);
            }
        }

        try
        {
            return await waiter.Task.WaitAsync(timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            string counts;
            lock (_gate)
            {
                _waiters.Remove(waiter);
                counts = DescribeCounts();
            }

            if (waiter.Task.IsCompletedSuccessfully)
            {
                return await waiter.Task.ConfigureAwait(false);
            }

            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"Timed out after {timeout} waiting for {goal}. {counts}"));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }

            throw;
        }
    }

    // Callers hold _gate.
    private ReceivedWebhook[] Snapshot() => [.. _received];

    // Callers hold _gate.
    private string DescribeCounts()
    {
        if (_received.Count == 0)
        {
            return "Received no requests.";
        }

        var perPath = _countsByPath.Select(pair => string.Create(CultureInfo.InvariantCulture, $"'{pair.Key}': {pair.Value}"));
        return string.Create(CultureInfo.InvariantCulture, $"Received {_received.Count} request(s): {string.Join(", ", perPath)}.");
    }

    private sealed class Waiter(Func<IReadOnlyList<ReceivedWebhook>, bool> condition)
    {
        private readonly TaskCompletionSource<IReadOnlyList<ReceivedWebhook>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IReadOnlyList<ReceivedWebhook>> Task => _completion.Task;

        // Returns true when the waiter is done (satisfied or faulted by its own condition) and can be dropped.
        public bool TryComplete(IReadOnlyList<ReceivedWebhook> snapshot)
        {
            try
            {
                return condition(snapshot) && _completion.TrySetResult(snapshot);
            }
            catch (Exception exception)
            {
                _completion.TrySetException(exception);
                return true;
            }
        }

        public void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
