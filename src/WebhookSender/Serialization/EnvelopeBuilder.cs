using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace WebhookSender;

/// <summary>Builds the JSON envelope <c>{"id","type","timestamp","data",…context}</c> that every format renders.</summary>
internal static class EnvelopeBuilder
{
    public static readonly string[] ReservedFields = ["id", "type", "timestamp", "data"];

    public static JsonElement Build(WebhookMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(EstimateSize(message));
        using (var writer = new Utf8JsonWriter(buffer, JsonEventSerializer.WriterOptions))
        {
            Write(writer, message);
        }

        // ParseValue builds one document of its own; Parse and Clone built a pooled one and then copied it.
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>About the size of the envelope's JSON, so that buffers are allocated once instead of grown by doubling.</summary>
    public static int EstimateSize(WebhookMessage message) =>
        128 + message.Id.Length + message.EventType.Length + RawLength(message.Data) + (message.Context is { } context ? RawLength(context) : 0);

    /// <summary>The length of an element's JSON text.</summary>
    public static int RawLength(JsonElement element) => element.ValueKind == JsonValueKind.Undefined ? 0 : JsonMarshal.GetRawUtf8Value(element).Length;

    public static void Write(Utf8JsonWriter writer, WebhookMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("id", message.Id);
        writer.WriteString("type", message.EventType);
        WriteTimestamp(writer, message.Timestamp);
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

    /// <summary>
    /// The <c>timestamp</c> in one form for every format: RFC 3339 in UTC with exactly six fractional digits
    /// (microseconds, cut rather than rounded), as the Standard Webhooks examples write it and as PostgreSQL stores
    /// times. System.Text.Json's own form drops trailing zeros and keeps up to seven digits, so the width varied.
    /// </summary>
    public static void WriteTimestamp(Utf8JsonWriter writer, DateTimeOffset timestamp)
    {
        Span<byte> text = stackalloc byte[TimestampLength];
        timestamp.UtcDateTime.TryFormat(text, out int written, TimestampFormat, CultureInfo.InvariantCulture);
        writer.WriteString("timestamp"u8, text[..written]);
    }

    private const string TimestampFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'";

    private const int TimestampLength = 27;
}
