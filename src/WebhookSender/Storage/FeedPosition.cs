namespace WebhookSender.Storage;

/// <summary>
/// Where an entry sits in a pull subscription's feed: ordered by <see cref="Transaction"/>, then <see cref="Sequence"/>.
/// </summary>
/// <param name="Transaction">
/// The writing transaction's id on PostgreSQL (so entries of a transaction that commits late still sort after every
/// entry a reader could already see); 0 on stores that commit in the order they write.
/// </param>
/// <param name="Sequence">The order of writing.</param>
public readonly record struct FeedPosition(long Transaction, long Sequence) : IComparable<FeedPosition>
{
    /// <summary>Before every entry: where a reader without a cursor starts.</summary>
    public static FeedPosition Start => default;

    /// <inheritdoc/>
    public int CompareTo(FeedPosition other) =>
        Transaction != other.Transaction ? Transaction.CompareTo(other.Transaction) : Sequence.CompareTo(other.Sequence);

    /// <summary>Whether <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(FeedPosition left, FeedPosition right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(FeedPosition left, FeedPosition right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> comes after or is <paramref name="right"/>.</summary>
    public static bool operator >=(FeedPosition left, FeedPosition right) => left.CompareTo(right) >= 0;

    /// <summary>Whether <paramref name="left"/> comes before or is <paramref name="right"/>.</summary>
    public static bool operator <=(FeedPosition left, FeedPosition right) => left.CompareTo(right) <= 0;
}
