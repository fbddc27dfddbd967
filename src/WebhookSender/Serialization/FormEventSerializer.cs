using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace WebhookSender;

/// <summary>
/// The <c>form</c> format: <c>application/x-www-form-urlencoded</c> with nested values in bracket notation, as PHP,
/// Rails (Rack) and the <c>qs</c> library read it: <c>id=msg_1&amp;data[order][id]=42&amp;data[items][0][sku]=A</c>.
/// docs/formats.md describes the mapping for receivers:
/// <list type="bullet">
/// <item>keys and values are UTF-8, percent-encoded except the RFC 3986 unreserved characters (space is <c>%20</c>,
/// <c>+</c> is <c>%2B</c>); the brackets that nest keys are written raw, brackets inside a name are encoded.</item>
/// <item>array elements are keyed by index (<c>[0]</c>, <c>[1]</c>…); numbers are their JSON text, booleans
/// <c>true</c>/<c>false</c>; null, an empty object and an empty array are an empty value (<c>data[x]=</c>).</item>
/// <item>a batch (array payload) keys each envelope by its index (<c>0[id]=…&amp;1[id]=…</c>); any other payload that is
/// not an object is one pair with the key <c>value</c>; an empty object or array payload is an empty body.</item>
/// <item>escaped unpaired surrogates in the JSON become U+FFFD.</item>
/// </list>
/// </summary>
internal sealed class FormEventSerializer : IEventSerializer
{
    // Values are encoded in slices, so a long string never asks the output for three times its size at once.
    private const int SliceLength = 4096;

    private static readonly SearchValues<byte> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"u8);

    public string Format => WebhookFormats.Form;

    public string MediaType => "application/x-www-form-urlencoded";

    private static ReadOnlySpan<byte> HexDigits => "0123456789ABCDEF"u8;

    public void Serialize(JsonElement payload, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (payload.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The payload is an undefined JsonElement; pass a parsed JSON value.", nameof(payload));
        }

        using var writer = new PairWriter(output);
        switch (payload.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in payload.EnumerateObject())
                {
                    writer.WriteMember(member, nested: false);
                }

                break;

            case JsonValueKind.Array:
                int index = 0;
                foreach (var element in payload.EnumerateArray())
                {
                    writer.WriteElement(index++, element, nested: false);
                }

                break;

            default:
                writer.AppendKey("value"u8);
                writer.WriteValue(payload);
                break;
        }
    }

    /// <summary>Percent-encodes <paramref name="source"/> into <paramref name="destination"/>, which holds three bytes per source byte.</summary>
    private static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        while (!source.IsEmpty)
        {
            int run = source.IndexOfAnyExcept(Unreserved);
            if (run < 0)
            {
                run = source.Length;
            }

            source[..run].CopyTo(destination[written..]);
            written += run;
            source = source[run..];
            if (source.IsEmpty)
            {
                break;
            }

            byte b = source[0];
            destination[written] = (byte)'%';
            destination[written + 1] = HexDigits[b >> 4];
            destination[written + 2] = HexDigits[b & 0xF];
            written += 3;
            source = source[1..];
        }

        return written;
    }

    /// <summary>Writes <c>key=value</c> pairs; the key of the value being written grows and shrinks on one pooled buffer.</summary>
    private sealed class PairWriter(IBufferWriter<byte> output) : IDisposable
    {
        private byte[]? _key;
        private int _keyLength;
        private byte[]? _scratch;
        private bool _first = true;

        public void Dispose()
        {
            JsonText.Return(ref _key);
            JsonText.Return(ref _scratch);
        }

        public void WriteMember(JsonProperty member, bool nested)
        {
            int mark = _keyLength;
            var name = JsonText.Unescape(JsonText.RawName(member), ref _scratch);
            JsonText.EnsureCapacity(ref _key, _keyLength + (name.Length * 3) + 2, preserve: _keyLength);
            if (nested)
            {
                _key[_keyLength++] = (byte)'[';
            }

            _keyLength += Encode(name, _key.AsSpan(_keyLength));
            if (nested)
            {
                _key[_keyLength++] = (byte)']';
            }

            WriteValue(member.Value);
            _keyLength = mark;
        }

        public void WriteElement(int index, JsonElement element, bool nested)
        {
            int mark = _keyLength;
            JsonText.EnsureCapacity(ref _key, _keyLength + 12, preserve: _keyLength);
            if (nested)
            {
                _key[_keyLength++] = (byte)'[';
            }

            Utf8Formatter.TryFormat(index, _key.AsSpan(_keyLength), out int digits);
            _keyLength += digits;
            if (nested)
            {
                _key[_keyLength++] = (byte)']';
            }

            WriteValue(element);
            _keyLength = mark;
        }

        public void AppendKey(ReadOnlySpan<byte> encodedKey)
        {
            JsonText.EnsureCapacity(ref _key, _keyLength + encodedKey.Length, preserve: _keyLength);
            encodedKey.CopyTo(_key.AsSpan(_keyLength));
            _keyLength += encodedKey.Length;
        }

        public void WriteValue(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    var members = value.EnumerateObject();
                    if (!members.MoveNext())
                    {
                        WritePair([]);
                        return;
                    }

                    do
                    {
                        WriteMember(members.Current, nested: true);
                    }
                    while (members.MoveNext());
                    return;

                case JsonValueKind.Array:
                    var elements = value.EnumerateArray();
                    if (!elements.MoveNext())
                    {
                        WritePair([]);
                        return;
                    }

                    int index = 0;
                    do
                    {
                        WriteElement(index++, elements.Current, nested: true);
                    }
                    while (elements.MoveNext());
                    return;

                case JsonValueKind.String:
                    WritePair(JsonText.Unescape(JsonText.RawString(value), ref _scratch));
                    return;

                case JsonValueKind.Number:
                    WritePair(JsonText.RawNumber(value));
                    return;

                case JsonValueKind.True:
                    WritePair("true"u8);
                    return;

                case JsonValueKind.False:
                    WritePair("false"u8);
                    return;

                default:
                    WritePair([]);
                    return;
            }
        }

        private void WritePair(ReadOnlySpan<byte> value)
        {
            int separator = _first ? 0 : 1;
            var span = output.GetSpan(separator + _keyLength + 1);
            if (!_first)
            {
                span[0] = (byte)'&';
            }

            _key.AsSpan(0, _keyLength).CopyTo(span[separator..]);
            span[separator + _keyLength] = (byte)'=';
            output.Advance(separator + _keyLength + 1);
            _first = false;

            while (!value.IsEmpty)
            {
                var slice = value[..Math.Min(value.Length, SliceLength)];
                int written = Encode(slice, output.GetSpan(slice.Length * 3));
                output.Advance(written);
                value = value[slice.Length..];
            }
        }
    }
}
