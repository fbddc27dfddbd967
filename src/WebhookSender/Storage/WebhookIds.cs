using System.Buffers.Binary;

namespace WebhookSender;

/// <summary>Creates prefixed, time-ordered ids: <c>msg_</c>, <c>sub_</c>, <c>dlv_</c> followed by 32 hex digits (no dots).</summary>
internal static class WebhookIds
{
    /// <summary>The length of a delivery id made here.</summary>
    public const int DeliveryIdLength = 36;

    private const string DeliveryPrefix = "dlv_";

    // The 62 random bits at the end of a version 7 UUID (RFC 9562 "rand_b"); the 2 bits above them hold the variant.
    private const ulong RandomBitsMask = (1UL << 62) - 1;

    public static string NewMessageId(DateTimeOffset now) => New("msg_", Guid.CreateVersion7(now));

    public static string NewSubscriptionId(DateTimeOffset now) => New("sub_", Guid.CreateVersion7(now));

    public static string NewDeliveryId(DateTimeOffset now) => New(DeliveryPrefix, Guid.CreateVersion7(now));

    /// <summary>The delivery id of <paramref name="id"/>: <c>dlv_</c> and its 32 lowercase hex digits.</summary>
    public static string DeliveryId(Guid id) => New(DeliveryPrefix, id);

    /// <summary>
    /// The <paramref name="offset"/>-th id after <paramref name="first"/>: its random bits counted up, as RFC 9562 allows
    /// for ids made in one millisecond (6.2, method 2). A publish draws one random UUID for all its deliveries instead of
    /// one each, and they keep the order they were made in.
    /// </summary>
    public static Guid Offset(Guid first, int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Span<byte> bytes = stackalloc byte[16];
        first.TryWriteBytes(bytes, bigEndian: true, out _);
        ulong tail = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        tail = (tail & ~RandomBitsMask) | ((tail + (ulong)offset) & RandomBitsMask);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], tail);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>Writes <c>dlv_</c> and the 32 lowercase hex digits of <paramref name="id"/> (36 characters).</summary>
    public static void FormatDeliveryId(Guid id, Span<char> destination)
    {
        DeliveryPrefix.CopyTo(destination);
        id.TryFormat(destination[DeliveryPrefix.Length..], out _, "N");
    }

    // One string per id (a publish makes one per subscription), instead of the Guid's text and then the concatenation.
    private static string New(string prefix, Guid id) => string.Create(prefix.Length + 32, (prefix, id), static (chars, state) =>
    {
        state.prefix.CopyTo(chars);
        state.id.TryFormat(chars[state.prefix.Length..], out _, "N");
    });
}
