using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace WebhookSender.Tests.Serialization;

/// <summary>Payloads shared by the format tests, and helpers to serialize them and compare JSON exactly.</summary>
internal static class SerializationSamples
{
    /// <summary>
    /// Event data that exercises every mapping rule: nesting, arrays of everything, unicode (accents, symbols, emoji,
    /// right-to-left scripts), nulls, numbers whose text must survive exactly, booleans, empty collections, names that are
    /// not XML names, and characters XML 1.0 forbids.
    /// </summary>
    public const string RichData = """
        {
          "order": {
            "id": 42,
            "status": "paid",
            "note": "Caf\u00e9 \u2713 \ud83d\ude00 done",
            "literal": "é ✓ 😀 שלום مرحبا",
            "rtl": "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd \u0645\u0631\u062d\u0628\u0627",
            "paid": true,
            "gift": false,
            "coupon": null,
            "tags": [],
            "meta": {}
          },
          "numbers": [0, -0, 12345678901234567890, -0.000001, 1e-7, 1.5E+300, 3.14159265358979323846264338327950288],
          "items": [
            { "sku": "A-1", "qty": 1, "price": 9.99 },
            { "sku": "B & <C>", "qty": 2, "price": 0.5, "options": ["red", null, true, 3, [1, 2], { "k": "v" }, [], {}] }
          ],
          "matrix": [[1, 2], [], [[]]],
          "first name": "Ann",
          "1st": "first",
          "a:b": "colon",
          "": "empty name",
          "_x0020_": "looks encoded already",
          "\u00e9t\u00e9": "summer",
          "control": "bell\u0007 tab\t newline\n cr\r nul\u0000 end",
          "nonchars": "\ufffe\uffff",
          "punctuation": "\"double\" 'single' [brackets] a+b=c&d 100% /path?q=1#f",
          "space": " ",
          "empty": ""
        }
        """;

    /// <summary>An envelope around <see cref="RichData"/> with context fields.</summary>
    public static readonly string Envelope =
        """{"id":"msg_0f1e2d3c4b5a69788796a5b4c3d2e1f0","type":"order.updated","timestamp":"2026-03-01T12:34:56.789000Z","data":"""
        + RichData
        + ""","organization":{"id":"org_7","name":"Example \u2713"},"project":null}""";

    /// <summary>A batch: an array of two envelopes.</summary>
    public const string Batch = """
        [
          {"id":"msg_00000000000000000000000000000001","type":"order.created","timestamp":"2026-03-01T12:00:00.000000Z","data":{"order":{"id":1,"lines":[{"sku":"A","qty":1}]}}},
          {"id":"msg_00000000000000000000000000000002","type":"order.updated","timestamp":"2026-03-01T12:00:01.500000Z","data":{"order":{"id":1,"status":null,"total":1.5E+300}}}
        ]
        """;

    /// <summary>A raw <c>data</c> value that is not an object: a string with characters every format must escape.</summary>
    public const string RawString = "\"plain text: a+b=c & <tag> \\u2713 \\\"quoted\\\"\"";

    /// <summary>JSON values of every kind that a serializer may receive as the whole payload.</summary>
    public static TheoryData<string> AnyJsonValue => new()
    {
        "{}", "[]", "null", "true", "false", "0", "-0", "42", "1e-7", "1.5E+300", "12345678901234567890", "\"\"", "\" \"",
        RawString, "[1,\"a\",null,true,[],{}]", "[[[]]]", "{\"a\":{\"b\":{\"c\":[]}}}", "{\"\":null}", "[{}]",
        RichData, Envelope, Batch,
    };

    private static readonly JsonWriterOptions CanonicalOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static byte[] Serialize(IEventSerializer serializer, string json)
    {
        var output = new ArrayBufferWriter<byte>();
        serializer.Serialize(Parse(json), output);
        return output.WrittenSpan.ToArray();
    }

    public static string SerializeToText(IEventSerializer serializer, string json) => Decode(Serialize(serializer, json));

    /// <summary>Decodes UTF-8 strictly: a body that is not valid UTF-8 fails the test instead of turning into U+FFFD.</summary>
    public static string Decode(byte[] body) => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body);

    /// <summary>
    /// The compact JSON text of a value, with numbers exactly as written and strings passed through
    /// <paramref name="mapString"/>: two values are equal when their canonical texts are.
    /// </summary>
    public static string Canonical(JsonElement value, Func<string, string>? mapString = null) =>
        WriteCanonical(writer => WriteCanonical(writer, value, mapString ?? (s => s)));

    public static string Canonical(string json, Func<string, string>? mapString = null) => Canonical(Parse(json), mapString);

    public static string WriteCanonical(Action<Utf8JsonWriter> write)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, CanonicalOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>
    /// The documented XML rule for text, written here independently of the serializer: characters XML 1.0 forbids
    /// (C0 controls except tab, LF and CR; U+FFFE; U+FFFF) become U+FFFD.
    /// </summary>
    public static string XmlSafe(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            bool forbidden = (rune.Value < 0x20 && rune.Value is not (0x9 or 0xA or 0xD)) || rune.Value is 0xFFFE or 0xFFFF;
            builder.Append(forbidden ? "\uFFFD" : rune.ToString());
        }

        return builder.ToString();
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement value, Func<string, string> mapString)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in value.EnumerateObject())
                {
                    writer.WritePropertyName(member.Name);
                    WriteCanonical(writer, member.Value, mapString);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var element in value.EnumerateArray())
                {
                    WriteCanonical(writer, element, mapString);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(mapString(value.GetString()!));
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(value.GetRawText());
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
