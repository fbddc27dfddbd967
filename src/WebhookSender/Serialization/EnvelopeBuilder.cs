using System.Buffers;
using System.Text.Json;

namespace WebhookSender;

/// <summary>Builds the JSON envelope <c>{"id","type","timestamp","data",…context}</c> that every format renders.</summary>
internal static class EnvelopeBuilder
{
    public static readonly string[] ReservedFields = ["id", "type", "timestamp", "data"];

    public static JsonElement Build(WebhookMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JsonEventSerializer.WriterOptions))
        {
            Write(writer, message);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    public static void Write(Utf8JsonWriter writer, WebhookMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("id", message.Id);
        writer.WriteString("type", message.EventType);
        writer.WriteString("timestamp", message.Timestamp.UtcDateTime);
        writer.WritePropertyName("data");
        message.Data.WriteTo(writer);
        if (message.Context is { ValueKind: JsonValueKind.Object } context)
        {
            foreach (var field in context.EnumerateObject())
            {
                field.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }
}
