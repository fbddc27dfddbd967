using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace WebhookSender;

/// <summary>
/// The <c>xml</c> format: UTF-8 XML with a declaration, root <c>&lt;webhook&gt;</c> (a batch: <c>&lt;webhooks&gt;</c> holding
/// one <c>&lt;webhook&gt;</c> per element). The mapping is lossless apart from forbidden characters; docs/formats.md
/// describes it for receivers:
/// <list type="bullet">
/// <item>object: one child element per member, in order; an object without members is <c>&lt;x type="object"/&gt;</c>.</item>
/// <item>array: <c>type="array"</c> and one <c>&lt;item&gt;</c> child per element.</item>
/// <item>string: escaped text, always with start and end tag; number: <c>type="number"</c> and the JSON text as is;
/// boolean: <c>type="boolean"</c> and <c>true</c>/<c>false</c>; null: <c>&lt;x nil="true"/&gt;</c>.</item>
/// <item>member names: <see cref="XmlConvert.EncodeLocalName"/> (<c>first name</c> → <c>first_x0020_name</c>); the
/// empty name, which has no encoded form, is <c>&lt;_ name=""&gt;</c>.</item>
/// <item>characters XML 1.0 forbids in text (C0 controls other than tab, LF and CR, U+FFFE, U+FFFF, unpaired
/// surrogates) become U+FFFD; CR is written as <c>&amp;#xD;</c> so that parsers keep it.</item>
/// </list>
/// </summary>
internal sealed class XmlEventSerializer : IEventSerializer
{
    internal const string RootElement = "webhook";
    internal const string BatchRootElement = "webhooks";
    internal const string ItemElement = "item";
    internal const string EmptyNameElement = "_";

    private const int MaxCachedNames = 256;
    private const int MaxCachedNameLength = 64;

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        NewLineHandling = NewLineHandling.Entitize, // a raw CR would come back as LF after end-of-line normalization
        CloseOutput = false,
    };

    // Element names by member name: payloads repeat the same few names, so most elements cost no string at all.
    [ThreadStatic]
    private static Dictionary<string, string>? t_elementNames;

    public string Format => WebhookFormats.Xml;

    public string MediaType => "application/xml; charset=utf-8";

    public void Serialize(JsonElement payload, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (payload.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The payload is an undefined JsonElement; pass a parsed JSON value.", nameof(payload));
        }

        using var stream = new BufferWriterStream(output);
        using var writer = new PayloadWriter(XmlWriter.Create(stream, Settings));
        writer.WriteDocument(payload);
    }

    private static string ElementName(ReadOnlySpan<char> name)
    {
        var cache = t_elementNames ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var cached))
        {
            return cached;
        }

        string text = name.ToString();
        string encoded = XmlConvert.EncodeLocalName(text);
        if (text.Length <= MaxCachedNameLength)
        {
            if (cache.Count >= MaxCachedNames)
            {
                cache.Clear();
            }

            cache[text] = encoded;
        }

        return encoded;
    }

    // XML 1.0 allows tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and U+10000 and up (surrogate pairs).
    private static void ReplaceForbiddenCharacters(Span<char> text)
    {
        int i = text.IndexOfAnyExceptInRange(' ', '\uD7FF');
        if (i < 0)
        {
            return;
        }

        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (c < ' ')
            {
                if (c is not ('\t' or '\n' or '\r'))
                {
                    text[i] = '\uFFFD';
                }
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c) || c >= '\uFFFE')
            {
                text[i] = '\uFFFD';
            }
        }
    }

    private sealed class PayloadWriter(XmlWriter xml) : IDisposable
    {
        private byte[]? _bytes;
        private char[]? _chars;

        public void WriteDocument(JsonElement payload)
        {
            xml.WriteStartDocument();
            if (payload.ValueKind == JsonValueKind.Array)
            {
                xml.WriteStartElement(BatchRootElement);
                foreach (var element in payload.EnumerateArray())
                {
                    WriteValue(RootElement, element, emptyName: false);
                }

                xml.WriteEndElement();
            }
            else
            {
                WriteValue(RootElement, payload, emptyName: false);
            }

            xml.WriteEndDocument();
        }

        public void Dispose()
        {
            xml.Dispose();
            JsonText.Return(ref _bytes);
            JsonText.Return(ref _chars);
        }

        private void WriteValue(string elementName, JsonElement value, bool emptyName)
        {
            xml.WriteStartElement(elementName);
            if (emptyName)
            {
                xml.WriteAttributeString("name", string.Empty);
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    var members = value.EnumerateObject();
                    if (!members.MoveNext())
                    {
                        xml.WriteAttributeString("type", "object");
                        break;
                    }

                    do
                    {
                        WriteMember(members.Current);
                    }
                    while (members.MoveNext());
                    break;

                case JsonValueKind.Array:
                    xml.WriteAttributeString("type", "array");
                    foreach (var item in value.EnumerateArray())
                    {
                        WriteValue(ItemElement, item, emptyName: false);
                    }

                    break;

                case JsonValueKind.String:
                    WriteText(JsonText.Unescape(JsonText.RawString(value), ref _bytes));
                    xml.WriteFullEndElement(); // <x></x>: plainly a string, even when empty
                    return;

                case JsonValueKind.Number:
                    xml.WriteAttributeString("type", "number");
                    WriteText(JsonText.RawNumber(value));
                    break;

                case JsonValueKind.True:
                    xml.WriteAttributeString("type", "boolean");
                    xml.WriteString("true");
                    break;

                case JsonValueKind.False:
                    xml.WriteAttributeString("type", "boolean");
                    xml.WriteString("false");
                    break;

                default:
                    xml.WriteAttributeString("nil", "true");
                    break;
            }

            xml.WriteEndElement();
        }

        private void WriteMember(JsonProperty member)
        {
            var raw = JsonText.RawName(member);
            if (raw.IsEmpty)
            {
                WriteValue(EmptyNameElement, member.Value, emptyName: true);
                return;
            }

            var utf8 = JsonText.Unescape(raw, ref _bytes);
            JsonText.EnsureCapacity(ref _chars, utf8.Length);
            int length = Encoding.UTF8.GetChars(utf8, _chars);
            WriteValue(ElementName(_chars.AsSpan(0, length)), member.Value, emptyName: false);
        }

        private void WriteText(ReadOnlySpan<byte> utf8)
        {
            if (utf8.IsEmpty)
            {
                return;
            }

            JsonText.EnsureCapacity(ref _chars, utf8.Length);
            int length = Encoding.UTF8.GetChars(utf8, _chars);
            ReplaceForbiddenCharacters(_chars.AsSpan(0, length));
            xml.WriteChars(_chars, 0, length);
        }
    }

    /// <summary>Lets <see cref="XmlWriter"/> write its encoded bytes straight into the output.</summary>
    private sealed class BufferWriterStream(IBufferWriter<byte> output) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => output.Write(buffer);
    }
}
