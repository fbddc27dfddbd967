using System.Buffers;
using System.Text.Json;

namespace WebhookSender;

/// <summary>
/// The <c>jsonarray</c> format: a JSON array of envelopes. A batch (an array payload) is written as is; any other payload
/// becomes a one-element array, byte for byte the <c>json</c> body between <c>[</c> and <c>]</c>.
/// </summary>
internal sealed class JsonArrayEventSerializer : IEventSerializer
{
    public string Format => WebhookFormats.JsonArray;

    public string MediaType => "application/json";

    public void Serialize(JsonElement payload, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonEventSerializer.WriterOptions);
        if (payload.ValueKind == JsonValueKind.Array)
        {
            payload.WriteTo(writer);
            return;
        }

        writer.WriteStartArray();
        payload.WriteTo(writer);
        writer.WriteEndArray();
    }
}
