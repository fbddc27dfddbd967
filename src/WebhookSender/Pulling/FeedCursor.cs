using System.Globalization;
using System.Text;
using WebhookSender.Storage;

namespace WebhookSender;

/// <summary>
/// The cursor a read hands out: <c>wpc_</c> and base64url of the subscription id and the feed position, so a cursor
/// of another subscription (of another tenant, say) is refused instead of read from the wrong place.
/// </summary>
internal static class FeedCursor
{
    private const string Prefix = "wpc_";

    public static string Format(string subscriptionId, FeedPosition position) =>
        Prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{subscriptionId}:{position.Transaction}:{position.Sequence}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The position <paramref name="cursor"/> names for <paramref name="subscriptionId"/>; the start for none.</summary>
    /// <exception cref="WebhookValidationException">It is not a cursor a read returned, or it is another subscription's.</exception>
    public static FeedPosition Parse(string? cursor, string subscriptionId)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return FeedPosition.Start;
        }

        var parts = Decode(cursor)?.Split(':');
        if (parts is not { Length: 3 }
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long transaction)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
        {
            throw new WebhookValidationException("cursor", "The cursor is not one a read returned; pass the cursor of the last page as it came, or none to start at the oldest unread message.");
        }

        if (parts[0] != subscriptionId)
        {
            throw new WebhookValidationException("cursor", $"The cursor belongs to another subscription, not {subscriptionId}; each subscription's reader keeps its own cursor.");
        }

        return new FeedPosition(transaction, sequence);
    }

    private static string? Decode(string cursor)
    {
        if (!cursor.StartsWith(Prefix, StringComparison.Ordinal) || cursor.Length > 512)
        {
            return null;
        }

        string text = cursor[Prefix.Length..].Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
