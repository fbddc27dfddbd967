namespace WebhookSender.Storage;

/// <summary>
/// The text form of the delivery ids the library makes: <c>dlv_</c> and the 32 lowercase hex digits of a version 7
/// <see cref="Guid"/> (<see cref="PublishedDeliveries.IdAt"/>). A store that keeps such ids as Guids, to save memory,
/// turns them back into text with these methods; any other id is opaque text.
/// </summary>
public static class DeliveryIds
{
    /// <summary>The prefix of every delivery id.</summary>
    public const string Prefix = "dlv_";

    /// <summary>The length of a delivery id made by the library: the prefix and 32 hex digits.</summary>
    public const int Length = 36;

    /// <summary>The delivery id of <paramref name="id"/>.</summary>
    /// <param name="id">The Guid of the id, as <see cref="PublishedDeliveries.IdAt"/> gives it.</param>
    /// <returns><c>dlv_</c> and the 32 lowercase hex digits of <paramref name="id"/>.</returns>
    public static string Format(Guid id) => string.Create(Length, id, static (chars, id) => Format(id, chars));

    /// <summary>Writes the delivery id of <paramref name="id"/> into <paramref name="destination"/>, without allocating.</summary>
    /// <param name="id">The Guid of the id.</param>
    /// <param name="destination">At least <see cref="Length"/> characters.</param>
    public static void Format(Guid id, Span<char> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        Prefix.CopyTo(destination);
        id.TryFormat(destination[Prefix.Length..], out _, "N");
    }
}
