using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace WebhookSender;

/// <summary>
/// The opaque cursor of the newest-first lists: base64url of <c>ticks:id</c> of a page's last item. The next page
/// continues after that position, so new rows neither repeat nor shift pages. Shared by the store adapters (linked
/// source from src/Shared), so every store hands out cursors of one form.
/// </summary>
internal static class PageCursor
{
    public static string Encode(long ticks, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(ticks.ToString(CultureInfo.InvariantCulture) + ":" + id));

    public static (long Ticks, string Id) Decode(string cursor, string paramName)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw Invalid(cursor, paramName);
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0
            || colon == text.Length - 1
            || !long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out long ticks))
        {
            throw Invalid(cursor, paramName);
        }

        return (ticks, text[(colon + 1)..]);
    }

    /// <summary>Decodes an attempt cursor, whose id must be a UUID in 32 hex digits.</summary>
    public static (long Ticks, string Id) DecodeAttempt(string cursor, string paramName)
    {
        var position = Decode(cursor, paramName);
        return Guid.TryParseExact(position.Id, "N", out var id) ? (position.Ticks, id.ToString("N")) : throw Invalid(cursor, paramName);
    }

    private static ArgumentException Invalid(string cursor, string paramName) => new(
        $"The cursor '{cursor}' is not one this list handed out. Pass the NextCursor of the previous page unchanged, or null for the first page.",
        paramName);
}
