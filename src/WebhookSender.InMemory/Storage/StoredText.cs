using System.Buffers;
using System.Text;

namespace WebhookSender.InMemory;

/// <summary>
/// A body kept in the attempt log as UTF-8 bytes (half the memory of the string for most JSON, XML and form bodies) and
/// made into a string again when read. Text that UTF-8 cannot hold exactly (a lone surrogate) is kept as it came.
/// </summary>
internal sealed class StoredText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[]? _bytes;
    private readonly string? _text;

    private StoredText(byte[]? bytes, string? text) => (_bytes, _text) = (bytes, text);

    public static StoredText Empty { get; } = new([], null);

    /// <summary>What the text costs to keep, about.</summary>
    public int Bytes => _bytes?.Length ?? 2 * _text!.Length;

    /// <summary>How many attempts share this body (the request bodies of one message's attempts are kept once).</summary>
    public int References { get; set; }

    public static StoredText From(string text)
    {
        if (text.Length == 0)
        {
            return Empty;
        }

        try
        {
            return new StoredText(Strict.GetBytes(text), null);
        }
        catch (EncoderFallbackException)
        {
            return new StoredText(null, text);
        }
    }

    public override string ToString() => _text ?? Encoding.UTF8.GetString(_bytes!);

    /// <summary>Whether this holds <paramref name="text"/>; compared in a rented buffer, so a match costs no copy to keep.</summary>
    public bool Holds(string text)
    {
        if (_text is not null)
        {
            return string.Equals(_text, text, StringComparison.Ordinal);
        }

        try
        {
            if (Strict.GetByteCount(text) != _bytes!.Length)
            {
                return false;
            }
        }
        catch (EncoderFallbackException)
        {
            return false;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(_bytes.Length);
        try
        {
            int length = Strict.GetBytes(text, buffer);
            return buffer.AsSpan(0, length).SequenceEqual(_bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
