using System.Buffers;
using WebhookSender.Storage;

namespace WebhookSender.InMemory;

/// <summary>
/// A delivery id as the store keys it. Ids the library makes (<c>dlv_</c> and 32 lowercase hex digits) are kept as their
/// <see cref="Guid"/>, so a stored delivery needs no id string until someone reads it; any other id is kept as its text.
/// Equality and order are those of the id string (ordinal).
/// </summary>
internal readonly struct DeliveryKey : IEquatable<DeliveryKey>, IComparable<DeliveryKey>
{
    private const string Prefix = DeliveryIds.Prefix;
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    private readonly Guid _guid;
    private readonly string? _text;

    /// <summary>The key of an id made by the library from <paramref name="guid"/>.</summary>
    public DeliveryKey(Guid guid) => _guid = guid;

    private DeliveryKey(string text) => _text = text;

    /// <summary>The key of any delivery id; lossless, so lookups can pass the id string as it is.</summary>
    public static implicit operator DeliveryKey(string id) => From(id);

    public static DeliveryKey From(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length == DeliveryIds.Length && id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            // Only lowercase digits: an id in capitals is a different string, so it keeps its text.
            var hex = id.AsSpan(Prefix.Length);
            if (!hex.ContainsAnyExcept(LowerHex) && Guid.TryParseExact(hex, "N", out var guid))
            {
                return new DeliveryKey(guid);
            }
        }

        return new DeliveryKey(id);
    }

    public bool Equals(DeliveryKey other) => _text is null ? other._text is null && _guid == other._guid : string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is DeliveryKey other && Equals(other);

    public override int GetHashCode() => _text?.GetHashCode(StringComparison.Ordinal) ?? _guid.GetHashCode();

    public int CompareTo(DeliveryKey other)
    {
        if (_text is null && other._text is null)
        {
            // Guid order is the order of the "N" digits: unsigned, field by field, most significant first.
            return _guid.CompareTo(other._guid);
        }

        Span<char> left = stackalloc char[DeliveryIds.Length];
        Span<char> right = stackalloc char[DeliveryIds.Length];
        return AsSpan(left).SequenceCompareTo(other.AsSpan(right));
    }

    /// <summary>The id string; made anew for library-made ids.</summary>
    public override string ToString() => _text ?? DeliveryIds.Format(_guid);

    private ReadOnlySpan<char> AsSpan(Span<char> buffer)
    {
        if (_text is not null)
        {
            return _text;
        }

        DeliveryIds.Format(_guid, buffer);
        return buffer;
    }
}
