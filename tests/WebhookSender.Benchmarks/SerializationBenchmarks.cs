using System.Buffers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.Benchmarks;

/// <summary>
/// Turning a stored message (1 KiB envelope) into a request body, per format: what the dispatcher pays once per message
/// and format (bodies are cached and shared by every subscription and retry).
/// </summary>
[MemoryDiagnoser]
public class SerializationBenchmarks
{
    private IEventSerializer _serializer = null!;
    private PayloadBuilder _payloads = null!;
    private WebhookSubscription _subscription = null!;
    private WebhookMessage _message = null!;
    private WebhookMessage[] _messages = null!;
    private int _next;
    private System.Text.Json.JsonElement _envelope;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    [Params(WebhookFormats.Json, WebhookFormats.JsonArray, WebhookFormats.Xml, WebhookFormats.Form)]
    public string Format { get; set; } = WebhookFormats.Json;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection().AddWebhooks().AddInMemoryStore().Services.BuildServiceProvider();
        _serializer = services.GetServices<IEventSerializer>().Single(s => s.Format == Format);
        _payloads = services.GetRequiredService<PayloadBuilder>();
        _subscription = BenchmarkData.Subscription("sub_1", null, [BenchmarkData.EventType]) with { Format = Format };
        _message = BenchmarkData.Message();
        _envelope = EnvelopeBuilder.Build(_message);

        // Twice the payload cache's size of distinct messages, taken in turn: every Build is a cache miss.
        _messages = [.. Enumerable.Range(0, 8192).Select(i => _message with { Id = $"msg_{i:x32}" })];
    }

    /// <summary>The serializer alone, writing into a reused buffer.</summary>
    [Benchmark(Baseline = true)]
    public int Serialize()
    {
        _buffer.ResetWrittenCount();
        _serializer.Serialize(_envelope, _buffer);
        return _buffer.WrittenCount;
    }

    /// <summary>A cache miss of the dispatcher (<c>PayloadBuilder.Build</c>): the envelope from the message, in this format, as the body to send.</summary>
    [Benchmark]
    public int EnvelopeAndBody()
    {
        var message = _messages[_next++ & (_messages.Length - 1)];
        return _payloads.Build(message, _subscription).Body.Length;
    }
}
