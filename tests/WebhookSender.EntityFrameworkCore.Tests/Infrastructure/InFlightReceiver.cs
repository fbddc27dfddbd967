using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WebhookSender.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// A Kestrel receiver on 127.0.0.1 that records, per <c>webhook-id</c>, every request's start and end (on the test's
/// monotonic clock), whether the sender gave up on it, and the most requests for one id that were ever in flight at
/// once: a delivery sent by two instances at the same time shows as 2.
/// </summary>
public sealed class InFlightReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<HttpContext, string, int, CancellationToken, Task> _respond;
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Exchange> _exchanges = new();
    private int _maxInFlightPerId;

    private InFlightReceiver(WebApplication app, Func<HttpContext, string, int, CancellationToken, Task> respond)
    {
        _app = app;
        _respond = respond;
    }

    /// <summary>One request: its id, which request for that id it was (1, 2, …), when it started and ended, and whether it was aborted.</summary>
    public sealed record Exchange(string WebhookId, int Number, TimeSpan Started, TimeSpan Ended, bool Aborted, string? Sender);

    public Uri Url { get; private set; } = null!;

    /// <summary>The most requests with one <c>webhook-id</c> ever in flight at once.</summary>
    public int MaxInFlightPerId => Volatile.Read(ref _maxInFlightPerId);

    /// <summary>The finished requests, in the order they ended.</summary>
    public IReadOnlyList<Exchange> Exchanges => [.. _exchanges];

    /// <summary>How many requests arrived for each <c>webhook-id</c> (including those still in flight).</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>Starts the receiver. <paramref name="respond"/> gets the id, its request number and the request's abort token.</summary>
    public static async Task<InFlightReceiver> StartAsync(Func<HttpContext, string, int, CancellationToken, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new InFlightReceiver(app, respond);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = new Uri(new Uri(address), "/hooks");
        return receiver;
    }

    /// <summary>Answers 200 after <paramref name="delay"/>; stops when the sender gives up.</summary>
    public static async Task OkAfterAsync(HttpContext context, TimeSpan delay, CancellationToken aborted)
    {
        await Task.Delay(delay, aborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task HandleAsync(HttpContext context)
    {
        // The body first, as a receiver reads it; the request counts as in flight from then until the handler returns.
        using (var body = new MemoryStream())
        {
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        }

        string id = context.Request.Headers["webhook-id"].ToString();
        string? sender = context.Request.Headers["x-test-sender"].FirstOrDefault();
        int number = _counts.AddOrUpdate(id, 1, (_, n) => n + 1);
        int now = _inFlight.AddOrUpdate(id, 1, (_, n) => n + 1);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlightPerId)) && Interlocked.CompareExchange(ref _maxInFlightPerId, now, max) != max)
        {
        }

        var started = Stopwatch.GetElapsedTime(0);
        bool aborted = false;
        try
        {
            await _respond(context, id, number, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            aborted = true;
        }
        finally
        {
            _inFlight.AddOrUpdate(id, 0, (_, n) => n - 1);
            _exchanges.Enqueue(new Exchange(id, number, started, Stopwatch.GetElapsedTime(0), aborted, sender));
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Kestrel aborted what was left.
        }

        await _app.DisposeAsync();
    }
}
