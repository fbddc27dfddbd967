using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace WebhookSender;

/// <summary>The <c>json</c> format: the envelope as compact UTF-8 JSON.</summary>
internal sealed class JsonEventSerializer : IEventSerializer
{
    // Relaxed escaping keeps non-ASCII text readable on the receiver side; the body is never embedded in HTML.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Format => WebhookFormats.Json;

    public string MediaType => "application/json";

    public void Serialize(JsonElement payload, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        payload.WriteTo(writer);
    }
}
