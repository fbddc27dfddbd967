using System.Text;

namespace WebhookSender.InMemory;

/// <summary>
/// Several strings (some of them null) kept as one UTF-8 array. Each string starts with a 7-bit varint: 0 for null, the
/// number of a word of <see cref="Words"/> (the header names and values nearly every attempt logs, kept as that one
/// byte), or otherwise its byte length past those, followed by its bytes. One object instead of a string each, at half
/// the size for ASCII text; a string UTF-8 cannot hold exactly (a lone surrogate) makes the whole set be kept as the
/// strings themselves.
/// </summary>
internal readonly struct PackedStrings
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly string[] Words =
    [
        "POST", "PUT", "webhook-id", "webhook-timestamp", "webhook-signature", "webhook-event-type", "user-agent",
        "content-type", "content-length", "application/json", "application/xml", "application/x-www-form-urlencoded",
        "date", "server", "Date", "Server", "Content-Length", "Content-Type", "Transfer-Encoding", "chunked", "Kestrel", "0",
        "traceparent", "tracestate", "authorization", "Authorization", "[redacted]",
    ];

    private static readonly Dictionary<string, int> WordNumbers = Words.Select((word, i) => (word, i)).ToDictionary(p => p.word, p => p.i + 1, StringComparer.Ordinal);

    // A byte[] (the packed form) or a string?[] (the fallback).
    private readonly object _data;

    private PackedStrings(object data) => _data = data;

    /// <summary>What the set costs to keep, about.</summary>
    public int Bytes => _data is byte[] bytes ? 24 + bytes.Length : 32 + ((string?[])_data).Sum(text => 24 + 2 * (text?.Length ?? 0));

    public static PackedStrings Pack(IReadOnlyList<string?> items)
    {
        // Each string's prefix, worked out once: 0 for null, a word's number, or its byte length past the words.
        Span<int> prefixes = items.Count <= 64 ? stackalloc int[items.Count] : new int[items.Count];
        try
        {
            int length = 0;
            for (int i = 0; i < items.Count; i++)
            {
                string? item = items[i];
                prefixes[i] = item is null ? 0 : WordNumbers.TryGetValue(item, out int word) ? word : Strict.GetByteCount(item) + Words.Length + 1;
                length += VarintLength(prefixes[i]) + Math.Max(0, prefixes[i] - Words.Length - 1);
            }

            var bytes = new byte[length];
            int position = 0;
            for (int i = 0; i < items.Count; i++)
            {
                position += WriteVarint(bytes.AsSpan(position), prefixes[i]);
                if (prefixes[i] > Words.Length)
                {
                    position += Strict.GetBytes(items[i]!, bytes.AsSpan(position));
                }
            }

            return new PackedStrings(bytes);
        }
        catch (EncoderFallbackException)
        {
            return new PackedStrings(items.ToArray());
        }
    }

    /// <summary>The strings, in the order they were packed.</summary>
    public string?[] Unpack(int count)
    {
        if (_data is string?[] kept)
        {
            return [.. kept];
        }

        var bytes = (byte[])_data;
        var items = new string?[count];
        int position = 0;
        for (int i = 0; i < count; i++)
        {
            int prefix = ReadVarint(bytes, ref position);
            if (prefix > Words.Length)
            {
                int length = prefix - Words.Length - 1;
                items[i] = Encoding.UTF8.GetString(bytes, position, length);
                position += length;
            }
            else if (prefix > 0)
            {
                items[i] = Words[prefix - 1];
            }
        }

        return items;
    }

    private static int VarintLength(int value)
    {
        int length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private static int WriteVarint(Span<byte> destination, int value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static int ReadVarint(byte[] bytes, ref int position)
    {
        int value = 0;
        int shift = 0;
        byte next;
        do
        {
            next = bytes[position++];
            value |= (next & 0x7F) << shift;
            shift += 7;
        }
        while (next >= 0x80);

        return value;
    }
}
