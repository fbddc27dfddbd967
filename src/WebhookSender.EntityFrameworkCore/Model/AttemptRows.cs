using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Attempts as the log writes them: each attempt of a delivery without its request body, and the distinct bodies apart,
/// once per message (see <see cref="BodyRow"/>). A fan-out of ten subscriptions in one format stores its body once
/// instead of ten times.
/// </summary>
internal sealed record AttemptRows(IReadOnlyList<AttemptRow> Attempts, IReadOnlyList<BodyRow> Bodies)
{
    public int Count => Attempts.Count;

    /// <param name="attempts">The attempts to log.</param>
    /// <param name="stored">Bodies known to be stored already, which are then not written again.</param>
    public static AttemptRows From(IEnumerable<DeliveryAttempt> attempts, StoredBodyKeys? stored = null)
    {
        var rows = new List<AttemptRow>();
        var bodies = new List<BodyRow>();
        HashSet<(string, long)>? seen = null;
        foreach (var attempt in attempts)
        {
            // Tests have no delivery and no stored message to go with: their bodies stay in the attempt.
            if (attempt.DeliveryId is null || attempt.Request.Body.Length == 0)
            {
                rows.Add(RowMapping.ToRow(attempt));
                continue;
            }

            long digest = Digest(attempt.Request.Body);
            rows.Add(RowMapping.ToRow(attempt, digest));
            if ((seen ??= []).Add((attempt.MessageId, digest)) && stored?.Contains(attempt.MessageId, digest) != true)
            {
                bodies.Add(new BodyRow { MessageId = attempt.MessageId, Digest = digest, Body = attempt.Request.Body });
            }
        }

        // In one order everywhere: two writes inserting the same bodies then wait for each other, never deadlock.
        bodies.Sort((a, b) => string.CompareOrdinal(a.MessageId, b.MessageId) is var byMessage and not 0 ? byMessage : a.Digest.CompareTo(b.Digest));
        return new AttemptRows(rows, bodies);
    }

    /// <summary>The first 8 bytes of the SHA-256 of the body's UTF-16 code units: the same on every instance.</summary>
    private static long Digest(string body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(body.AsSpan()), hash);
        return BinaryPrimitives.ReadInt64LittleEndian(hash);
    }
}
