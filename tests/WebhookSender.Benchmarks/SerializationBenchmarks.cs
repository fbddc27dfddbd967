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
    private WebhookMessage _message = null!;
    private System.Text.Json.JsonElement _envelope;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    [Params(WebhookFormats.Json, WebhookFormats.JsonArray, WebhookFormats.Xml, WebhookFormats.Form)]
    public string Format { get; set; } = WebhookFormats.Json;

    [GlobalSetup]
    public void Setup()
    {
        using var services = new ServiceCollection().AddWebhooks().Services.BuildServiceProvider();
        _serializer = services.GetServices<IEventSerializer>().Single(s => s.Format == Format);
        _message = BenchmarkData.Message();
        _envelope = EnvelopeBuilder.Build(_message);
    }

    /// <summary>The serializer alone, writing into a reused buffer.</summary>
    [Benchmark(Baseline = true)]
    public int Serialize()
    {
        _buffer.ResetWrittenCount();
        _serializer.Serialize(_envelope, _buffer);
        return _buffer.WrittenCount;
    }

    /// <summary>A cache miss of the dispatcher: build the envelope from the message, serialize it, copy out the body.</summary>
    [Benchmark]
    public int EnvelopeAndBody()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        _serializer.Serialize(EnvelopeBuilder.Build(_message), buffer);
        return buffer.WrittenSpan.ToArray().Length;
    }
}
