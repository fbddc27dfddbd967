using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using WebhookSender.LoadTest.Receiver;
using WebhookSender.Testing;

// The load test's receiver: answers every POST with 200 after verifying its Standard Webhooks signature, counts distinct
// (path, webhook-id) pairs and the publish→received latency (the sender stamps Stopwatch.GetTimestamp() into the body
// as "sentAt"; both processes read the same monotonic clock). 127.0.0.1 only.
//   GET /stats  → counts and latency percentiles since the last reset, as JSON
//   POST /reset → starts counting again
//   POST /stop  → exits
// Usage: WebhookSender.LoadTest.Receiver --secret whsec_… [--port 0]
string? secret = null;
int port = 0;
for (int i = 0; i < args.Length - 1; i += 2)
{
    switch (args[i])
    {
        case "--secret": secret = args[i + 1]; break;
        case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"Unknown option {args[i]}; use --secret whsec_… [--port N].");
    }
}

secret ??= Environment.GetEnvironmentVariable("WEBHOOK_LOADTEST_SECRET")
    ?? throw new ArgumentException("Pass the signing secret: --secret whsec_… (or WEBHOOK_LOADTEST_SECRET).");

var verifier = new StandardWebhookVerifier(secret);
var stats = new ReceiverStats();
var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args });
builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
{
    options.AddServerHeader = false;
    options.Limits.MaxConcurrentConnections = null;
    options.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
});
var app = builder.Build();
var stopped = new CancellationTokenSource();

app.Run(async context =>
{
    var request = context.Request;
    string path = request.Path.Value ?? "/";
    if (HttpMethods.IsGet(request.Method) && path == "/stats")
    {
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, stats.Snapshot(), JsonSerializerOptions.Web);
        return;
    }

    if (HttpMethods.IsPost(request.Method) && path == "/reset")
    {
        stats.Reset();
        return;
    }

    if (HttpMethods.IsPost(request.Method) && path == "/stop")
    {
        stopped.Cancel();
        return;
    }

    int length = (int)(request.ContentLength ?? 0);
    byte[] body = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
    try
    {
        int read = 0;
        while (read < length)
        {
            int n = await request.Body.ReadAsync(body.AsMemory(read, length - read));
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        long receivedAt = Stopwatch.GetTimestamp();
        string id = request.Headers["webhook-id"].ToString();
        bool valid = verifier.Verify(id, request.Headers["webhook-timestamp"].ToString(), request.Headers["webhook-signature"].ToString(), body.AsSpan(0, read));
        stats.Record(path, id, valid, SentAt(body.AsSpan(0, read)), receivedAt);
        context.Response.StatusCode = valid ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(body);
    }
});

await app.StartAsync();
Console.WriteLine("listening " + app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
Console.Out.Flush();
try
{
    await Task.Delay(Timeout.Infinite, stopped.Token);
}
catch (OperationCanceledException)
{
}

await app.StopAsync();
return 0;

// The first "sentAt" number in the body: the sender's Stopwatch timestamp at publish (or, for the baseline, at enqueue).
static long SentAt(ReadOnlySpan<byte> body)
{
    var reader = new Utf8JsonReader(body);
    try
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("sentAt"u8) && reader.Read() && reader.TryGetInt64(out long value))
            {
                return value;
            }
        }
    }
    catch (JsonException)
    {
    }

    return 0;
}
