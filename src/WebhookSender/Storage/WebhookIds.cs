using System.Buffers.Binary;
using System.Security.Cryptography;

namespace WebhookSender.Storage;

/// <summary>Creates prefixed, time-ordered ids: <c>msg_</c>, <c>sub_</c>, <c>dlv_</c> followed by 32 hex digits (no dots).</summary>
internal static class WebhookIds
{
    // The 62 random bits at the end of a version 7 UUID (RFC 9562 "rand_b"); the 2 bits above them hold the variant.
    private const ulong RandomBitsMask = (1UL << 62) - 1;

    // Random bytes drawn from the OS a block at a time, per thread (see NewVersion7).
    private const int RandomBlockBytes = 1024;
    [ThreadStatic] private static byte[]? t_random;
    [ThreadStatic] private static int t_randomUsed;

    public static string NewMessageId(DateTimeOffset now) => New("msg_", NewVersion7(now));

    public static string NewSubscriptionId(DateTimeOffset now) => New("sub_", NewVersion7(now));

    public static string NewDeliveryId(DateTimeOffset now) => DeliveryIds.Format(NewVersion7(now));

    /// <summary>
    /// A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds of <paramref name="now"/>, then 74 random bits, like
    /// <see cref="Guid.CreateVersion7(DateTimeOffset)"/>. The random bits come from the same cryptographic generator, but
    /// a kilobyte at a time per thread: <see cref="Guid.CreateVersion7(DateTimeOffset)"/> asks the OS for every id (on
    /// Linux a read of /dev/urandom), a system call that costs many times the rest of making an id, and the dispatcher
    /// makes one per attempt (the figures are in docs/benchmarks.md, "Ids").
    /// </summary>
    public static Guid NewVersion7(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        FillRandom(bytes[6..]);
        long milliseconds = now.ToUnixTimeMilliseconds();
        for (int i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(milliseconds >> (8 * (5 - i)));
        }

        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F)); // version 7
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F)); // variant 10
        return new Guid(bytes, bigEndian: true);
    }

    private static void FillRandom(Span<byte> destination)
    {
        var block = t_random;
        if (block is null || t_randomUsed + destination.Length > block.Length)
        {
            block = t_random ??= new byte[RandomBlockBytes];
            RandomNumberGenerator.Fill(block);
            t_randomUsed = 0;
        }

        // Each byte is handed out once, then the block is drawn again.
        block.AsSpan(t_randomUsed, destination.Length).CopyTo(destination);
        t_randomUsed += destination.Length;
    }


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

    // One string per id (a publish makes one per subscription), instead of the Guid's text and then the concatenation.
    private static string New(string prefix, Guid id) => string.Create(prefix.Length + 32, (prefix, id), static (chars, state) =>
    {
        state.prefix.CopyTo(chars);
        state.id.TryFormat(chars[state.prefix.Length..], out _, "N");
    });
}
