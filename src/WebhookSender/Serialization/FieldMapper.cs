using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace WebhookSender;

/// <summary>
/// Builds the body of a <see cref="WebhookPayloadMode.Mapped"/> subscription: one field per map entry, valued from a
/// path into the envelope or a constant. A path the event lacks gives null and a warning for the attempt log: the
/// message cannot change, so failing the attempt would only retry into the same gap.
/// </summary>
internal static class FieldMapper
{
    public static JsonElement Map(JsonElement envelope, IReadOnlyDictionary<string, WebhookFieldSource> fieldMap, List<string> warnings)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JsonEventSerializer.WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, source) in fieldMap)
            {
                writer.WritePropertyName(name);
                if (source.Path is not { } path)
                {
                    writer.WriteStringValue(source.Constant);
                }
                else if (TryResolve(envelope, path, out var value))
                {
                    value.WriteTo(writer);
                }
                else
                {
                    writer.WriteNullValue();
                    warnings.Add($"Field '{name}': the event has nothing at '{path}', so it was sent as null.");
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static bool TryResolve(JsonElement current, string path, out JsonElement value)
    {
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array
                && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                value = default;
                return false;
            }
        }

        value = current;
        return true;
    }
}
