using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace WebhookSender;

/// <summary>
/// Reads the UTF-8 text of JSON strings, property names and numbers straight from a <see cref="JsonElement"/>'s
/// document, without allocating a <see cref="string"/> per node. Used by the formats that re-encode text (xml, form).
/// </summary>
internal static class JsonText
{
    /// <summary>The UTF-8 bytes of U+FFFD, written for an escaped surrogate that has no partner.</summary>
    private static ReadOnlySpan<byte> ReplacementCharacter => "\uFFFD"u8;

    /// <summary>The raw (still escaped) UTF-8 text of a string value, without its quotes.</summary>
    public static ReadOnlySpan<byte> RawString(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        return raw[1..^1];
    }

    /// <summary>The raw (still escaped) UTF-8 text of a property name, without its quotes.</summary>
    public static ReadOnlySpan<byte> RawName(JsonProperty property) => JsonMarshal.GetRawUtf8PropertyName(property);

    /// <summary>The JSON text of a number exactly as it appears in the document, for example <c>1.5E+300</c>.</summary>
    public static ReadOnlySpan<byte> RawNumber(JsonElement value) => JsonMarshal.GetRawUtf8Value(value);

    /// <summary>
    /// Returns the unescaped UTF-8 text of raw JSON string content, using <paramref name="scratch"/> (rented from the
    /// shared pool, grown as needed) only when the text contains escapes.
    /// </summary>
    public static ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> raw, ref byte[]? scratch)
    {
        int backslash = raw.IndexOf((byte)'\\');
        if (backslash < 0)
        {
            return raw;
        }

        // Unescaping never makes text longer: \uXXXX (6 bytes) yields at most 3 bytes, a pair (12 bytes) 4 bytes.
        EnsureCapacity(ref scratch, raw.Length);
        int written = Unescape(raw, backslash, scratch);
        return scratch.AsSpan(0, written);
    }

    /// <summary>
    /// Makes sure <paramref name="buffer"/> (rented from the shared pool) holds at least <paramref name="length"/> items,
    /// keeping its first <paramref name="preserve"/> items when it has to grow.
    /// </summary>
    public static void EnsureCapacity<T>([NotNull] ref T[]? buffer, int length, int preserve = 0)
    {
        if (buffer is not null && buffer.Length >= length)
        {
            return;
        }

        var larger = ArrayPool<T>.Shared.Rent(Math.Max(length, Math.Max(256, (buffer?.Length ?? 0) * 2)));
        buffer.AsSpan(0, preserve).CopyTo(larger);
        Return(ref buffer);
        buffer = larger;
    }

    /// <summary>Gives a rented buffer back to the shared pool.</summary>
    public static void Return<T>(ref T[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<T>.Shared.Return(buffer);
            buffer = null;
        }
    }

    private static int Unescape(ReadOnlySpan<byte> source, int backslash, Span<byte> destination)
    {
        int written = 0;
        while (backslash >= 0)
        {
            source[..backslash].CopyTo(destination[written..]);
            written += backslash;
            source = source[(backslash + 1)..];
            if (source.IsEmpty)
            {
                break;
            }

            byte escape = source[0];
            source = source[1..];
            switch (escape)
            {
                case (byte)'b': destination[written++] = (byte)'\b'; break;
                case (byte)'f': destination[written++] = (byte)'\f'; break;
                case (byte)'n': destination[written++] = (byte)'\n'; break;
                case (byte)'r': destination[written++] = (byte)'\r'; break;
                case (byte)'t': destination[written++] = (byte)'\t'; break;
                case (byte)'u':
                    written += UnescapeUtf16(ref source, destination[written..]);
                    break;
                default: // '"', '\\' and '/' stand for themselves
                    destination[written++] = escape;
                    break;
            }

            backslash = source.IndexOf((byte)'\\');
        }

        source.CopyTo(destination[written..]);
        return written + source.Length;
    }

    // Decodes the XXXX of a \uXXXX escape (and the low half of a surrogate pair that follows it). The document was
    // validated by the JSON reader, which checks the hex digits but not that surrogates come in pairs: an unpaired
    // one becomes U+FFFD, because neither UTF-8 nor XML can carry it.
    private static int UnescapeUtf16(ref ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (!TryReadHex(source, out int unit))
        {
            ReplacementCharacter.CopyTo(destination);
            return ReplacementCharacter.Length;
        }

        source = source[4..];
        int scalar = unit;
        if (char.IsHighSurrogate((char)unit))
        {
            if (source.Length >= 6 && source[0] == '\\' && source[1] == 'u' && TryReadHex(source[2..], out int low) && char.IsLowSurrogate((char)low))
            {
                scalar = char.ConvertToUtf32((char)unit, (char)low);
                source = source[6..];
            }
            else
            {
                scalar = 0xFFFD;
            }
        }
        else if (char.IsLowSurrogate((char)unit))
        {
            scalar = 0xFFFD;
        }

        return new Rune(scalar).EncodeToUtf8(destination);
    }

    private static bool TryReadHex(ReadOnlySpan<byte> source, out int value)
    {
        if (source.Length >= 4 && Utf8Parser.TryParse(source[..4], out ushort unit, out int consumed, 'X') && consumed == 4)
        {
            value = unit;
            return true;
        }

        value = 0;
        return false;
    }
}
