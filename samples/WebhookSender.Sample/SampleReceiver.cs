using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace WebhookSender.Sample;

/// <summary>
/// A webhook receiver as a customer would write it: it checks the Standard Webhooks signature before trusting a body.
/// "/flaky" answers 500 to the first two attempts of each order event, to show retries.
/// </summary>
internal sealed class SampleReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _secrets = new();
    private readonly ConcurrentDictionary<string, int> _flakyAttempts = new();
    private int _accepted;
    private int _rejected;

    private SampleReceiver(WebApplication app) => _app = app;

    public int Accepted => _accepted;

    public int Rejected => _rejected;

    public static async Task<SampleReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        var app = builder.Build();
        var receiver = new SampleReceiver(app);
        app.MapPost("/{name}", (Delegate)receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    public Uri UrlFor(string path) => new(_app.Urls.First() + path);

    public void Trust(string path, string secret) => _secrets[path] = secret;

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        string path = context.Request.Path;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        byte[] body = buffer.ToArray();

        // "/flaky" has a bug with orders: it fails the first two attempts of every order message (pings pass).
        string id = context.Request.Headers["webhook-id"].ToString();
        bool isPing = Encoding.UTF8.GetString(body).Contains("\"type\":\"webhook.ping\"", StringComparison.Ordinal);
        if (path == "/flaky" && !isPing && _flakyAttempts.AddOrUpdate(id, 1, (_, n) => n + 1) <= 2)
        {
            return Results.StatusCode(500);
        }

        if (!_secrets.TryGetValue(path, out var secret) || !IsSigned(context.Request.Headers, body, secret))
        {
            Interlocked.Increment(ref _rejected);
            return Results.Unauthorized();
        }

        Interlocked.Increment(ref _accepted);
        return Results.NoContent();
    }

    /// <summary>Standard Webhooks verification: HMAC-SHA256 over "{id}.{timestamp}.{body}", any v1 signature may match.</summary>
    private static bool IsSigned(IHeaderDictionary headers, byte[] body, string secret)
    {
        string id = headers["webhook-id"].ToString();
        string timestamp = headers["webhook-timestamp"].ToString();
        if (!long.TryParse(timestamp, out long seconds) || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false; // missing, or too old: a replay
        }

        byte[] key = Convert.FromBase64String(secret["whsec_".Length..]);
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body];
        byte[] expected = HMACSHA256.HashData(key, signed);
        foreach (string signature in headers["webhook-signature"].ToString().Split(' '))
        {
            if (signature.StartsWith("v1,", StringComparison.Ordinal)
                && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(signature[3..]), expected))
            {
                return true;
            }
        }

        return false;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
