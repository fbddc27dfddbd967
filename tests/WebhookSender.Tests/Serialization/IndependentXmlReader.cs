using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace WebhookSender.Tests.Serialization;

/// <summary>
/// Reads an <c>xml</c> body back into JSON by the rules in docs/formats.md, written from the documentation with
/// XDocument, without any code of the serializer. Strict: anything the rules do not produce fails the test.
/// </summary>
internal static partial class IndependentXmlReader
{
    /// <summary>The body as canonical JSON text (see <see cref="SerializationSamples.Canonical(JsonElement, Func{string, string}?)"/>).</summary>
    public static string ToCanonicalJson(string xml)
    {
        // No indentation is ever written, so all whitespace is content (a string " " must stay " ").
        var document = XDocument.Parse(xml, LoadOptions.PreserveWhitespace);
        var root = document.Root!;
        Assert.Empty(root.Name.NamespaceName);
        return SerializationSamples.WriteCanonical(writer =>
        {
            if (root.Name.LocalName == "webhooks")
            {
                Assert.Empty(root.Attributes());
                Assert.DoesNotContain(root.Nodes(), n => n is not XElement);
                writer.WriteStartArray();
                foreach (var webhook in root.Elements())
                {
                    Assert.Equal("webhook", webhook.Name.LocalName);
                    WriteValue(writer, webhook);
                }

                writer.WriteEndArray();
            }
            else
            {
                Assert.Equal("webhook", root.Name.LocalName);
                WriteValue(writer, root);
            }
        });
    }

    /// <summary>The JSON member name of a child element: its <c>name</c> attribute, else its name with <c>_xHHHH_</c> escapes decoded.</summary>
    public static string MemberName(XElement element) =>
        element.Attribute("name")?.Value ?? Escape().Replace(element.Name.LocalName, m => char.ConvertFromUtf32(int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));

    private static void WriteValue(Utf8JsonWriter writer, XElement element)
    {
        Assert.All(element.Attributes(), a => Assert.Contains(a.Name.LocalName, new[] { "name", "type", "nil" }));
        if (element.Attribute("nil") is { } nil)
        {
            Assert.Equal("true", nil.Value);
            Assert.Null(element.Attribute("type"));
            Assert.True(element.IsEmpty);
            writer.WriteNullValue();
            return;
        }

        switch (element.Attribute("type")?.Value)
        {
            case "array":
                writer.WriteStartArray();
                Assert.DoesNotContain(element.Nodes(), n => n is not XElement);
                foreach (var item in element.Elements())
                {
                    Assert.Equal("item", item.Name.LocalName);
                    Assert.Null(item.Attribute("name"));
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                return;
            case "number":
                Assert.False(element.HasElements);
                writer.WriteRawValue(element.Value); // validates that the text is a JSON number
                Assert.Equal(JsonValueKind.Number, JsonDocument.Parse(element.Value).RootElement.ValueKind);
                return;
            case "boolean":
                writer.WriteBooleanValue(element.Value switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new Xunit.Sdk.XunitException($"Not a boolean: '{element.Value}'."),
                });
                return;
            case "object":
                Assert.True(element.IsEmpty, "type=\"object\" marks an object without members");
                writer.WriteStartObject();
                writer.WriteEndObject();
                return;
            case null when element.HasElements:
                Assert.DoesNotContain(element.Nodes(), n => n is not XElement);
                writer.WriteStartObject();
                foreach (var member in element.Elements())
                {
                    writer.WritePropertyName(MemberName(member));
                    WriteValue(writer, member);
                }

                writer.WriteEndObject();
                return;
            case null:
                Assert.False(element.IsEmpty, "a string is written with start and end tags");
                writer.WriteStringValue(element.Value);
                return;
            default:
                throw new Xunit.Sdk.XunitException($"Unknown type attribute '{element.Attribute("type")!.Value}'.");
        }
    }

    [GeneratedRegex("_x([0-9A-Fa-f]{8}|[0-9A-Fa-f]{4})_")]
    private static partial Regex Escape();
}
