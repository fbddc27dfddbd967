// Run as a native AOT binary by WebhookSender.AotSmoke.Tests: registers the core with the in-memory store, subscribes a
// receiver of its own on 127.0.0.1, publishes one event and checks what arrived (signature, envelope, data, context) and
// what the delivery log says. Prints what it checked and exits 0, or prints the failure and exits 1; gives up after 30 s.
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WebhookSender;
using WebhookSender.AotSmoke;

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
try
{
    await RunAsync(timeout.Token);
    return 0;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"AOT smoke test failed: {ex}");
    return 1;
}

static async Task RunAsync(CancellationToken cancellationToken)
{
    Console.WriteLine($"dynamic code supported: {RuntimeFeature.IsDynamicCodeSupported}; reflection-based JSON: {JsonSerializer.IsReflectionEnabledByDefault}");
    await BadOptionsStopStartUpAsync(cancellationToken);
    await using var receiver = new LoopbackReceiver();

    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
    builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
    builder.Services
        .AddWebhooks(o =>
        {
            o.Destinations.AllowLoopback = true;
            o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, SmokeJsonContext.Default);
        })
        .AddEventType("order.paid", "An order was paid.")
        .AddInMemoryStore();
    using var host = builder.Build();
    await host.StartAsync(cancellationToken);

    var subscriptions = host.Services.GetRequiredService<IWebhookSubscriptions>();
    var publisher = host.Services.GetRequiredService<IWebhookPublisher>();
    var deliveries = host.Services.GetRequiredService<IWebhookDeliveries>();
    // Both signatures: v1a's Ed25519 runs in libsodium (NSec), whose native calls must work in a native AOT app too.
    var created = await subscriptions.CreateAsync(
        new WebhookSubscriptionRequest { Url = receiver.Url, EventTypes = ["order.paid"], Signatures = WebhookSignatures.V1 | WebhookSignatures.V1a },
        cancellationToken);
    string publicKey = created.Subscription.SigningKeys[0].PublicKey;

    // A type the app's context does not list is refused where it is published, with the fix in the message.
    try
    {
        await publisher.PublishAsync(new WebhookEvent("order.paid", new { orderId = 1 }), cancellationToken);
        throw new InvalidOperationException("An anonymous object was published although no JsonSerializerContext lists it.");
    }
    catch (WebhookValidationException ex) when (ex.Message.Contains("JsonSerializerContext", StringComparison.Ordinal))
    {
        Console.WriteLine("unlisted type refused: yes");
    }

    var published = await publisher.PublishAsync(
        new WebhookEvent("order.paid", new OrderPaid(1042, 99.5m, "paid")) { Context = new Dictionary<string, object?> { ["sender"] = "aot-smoke" } },
        cancellationToken);
    Require(published.DeliveryCount == 1, $"The event matched {published.DeliveryCount} subscriptions, not 1.");

    // The ping of the new subscription and the event, in either order.
    var seen = new HashSet<string>(StringComparer.Ordinal);
    while (!seen.SetEquals(["webhook.ping", "order.paid"]))
    {
        var request = await receiver.ReadAsync(cancellationToken);
        Require(request.Method == "POST" && request.Path == "/hooks", $"Unexpected request {request.Method} {request.Path}.");
        Require(SignatureIsValid(request, created.Secret), $"The signature of {request.Header("webhook-id")} does not verify.");
        Require(V1aIsValid(request, publicKey), $"The v1a signature of {request.Header("webhook-id")} does not verify with {publicKey}.");
        using var envelope = JsonDocument.Parse(request.Body);
        string type = envelope.RootElement.GetProperty("type").GetString()!;
        Require(seen.Add(type), $"'{type}' arrived twice.");
        if (type == "order.paid")
        {
            var data = envelope.RootElement.GetProperty("data");
            Require(request.Header("webhook-id") == published.MessageId, "The event's webhook-id is not the published message id.");
            Require(data.GetProperty("orderId").GetInt32() == 1042 && data.GetProperty("total").GetDecimal() == 99.5m && data.GetProperty("status").GetString() == "paid",
                $"The data arrived as {data.GetRawText()}.");
            Require(envelope.RootElement.GetProperty("sender").GetString() == "aot-smoke", "The context's sender field is missing.");
        }

        Console.WriteLine($"received {type} {request.Header("webhook-id")} from {request.Header("user-agent")}, signature valid (v1 and v1a)");
    }

    // The attempt is recorded once the 204 is read, shortly after the receiver saw the request.
    while (true)
    {
        var page = await deliveries.ListAsync(new DeliveryQuery { MessageId = published.MessageId }, cancellationToken);
        if (page.Items is [{ Status: DeliveryStatus.Succeeded, AttemptCount: 1 }])
        {
            break;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
    }

    Console.WriteLine("delivery log: succeeded after 1 attempt");
    await host.StopAsync(cancellationToken);
    Console.WriteLine("AOT smoke test passed");
}

// Options validation must survive trimming: ranges on an int and a TimeSpan of the core's options, and on the store's.
static async Task BadOptionsStopStartUpAsync(CancellationToken cancellationToken)
{
    await RefusedAsync(o => (o.MaxConcurrency, o.MaxRetryAfter) = (0, TimeSpan.FromDays(2)), _ => { }, ["MaxConcurrency", "MaxRetryAfter"]);
    await RefusedAsync(_ => { }, o => o.MaxAttempts = 0, ["MaxAttempts"]);
    Console.WriteLine("bad options stop start-up: yes");

    async Task RefusedAsync(Action<WebhookOptions> core, Action<WebhookSender.InMemory.InMemoryStoreOptions> store, string[] named)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddWebhooks(core).AddInMemoryStore(store);
        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            string[] missing = [.. named.Where(name => !ex.Message.Contains(name, StringComparison.Ordinal))];
            Require(missing.Length == 0, $"Start-up failed without naming {string.Join(", ", missing)}: {ex.Message}");
            return;
        }

        throw new InvalidOperationException($"The host started with bad {string.Join(", ", named)}.");
    }
}

// The Standard Webhooks scheme, written out here rather than taken from the sender: HMAC-SHA256 over "id.timestamp.body".
static bool SignatureIsValid(ReceivedRequest request, string secret)
{
    byte[] key = Convert.FromBase64String(secret["whsec_".Length..]);
    byte[] signed = [.. Encoding.UTF8.GetBytes($"{request.Header("webhook-id")}.{request.Header("webhook-timestamp")}."), .. request.Body];
    byte[] expected = Encoding.ASCII.GetBytes("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed)));
    return request.Header("webhook-signature").Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected));
}

static bool V1aIsValid(ReceivedRequest request, string publicKey)
{
    var key = NSec.Cryptography.PublicKey.Import(
        NSec.Cryptography.SignatureAlgorithm.Ed25519, Convert.FromBase64String(publicKey["whpk_".Length..]), NSec.Cryptography.KeyBlobFormat.RawPublicKey);
    byte[] signed = [.. Encoding.UTF8.GetBytes($"{request.Header("webhook-id")}.{request.Header("webhook-timestamp")}."), .. request.Body];
    return request.Header("webhook-signature").Split(' ')
        .Where(s => s.StartsWith("v1a,", StringComparison.Ordinal))
        .Any(s => NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(key, signed, Convert.FromBase64String(s[4..])));
}

static void Require(bool condition, string failure)
{
    if (!condition)
    {
        throw new InvalidOperationException(failure);
    }
}
