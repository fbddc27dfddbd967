using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace WebhookSender.InMemory;

/// <summary>
/// The opaque cursor of the newest-first lists: base64url of <c>ticks:id</c> of the last item of a page. The next page
/// continues after that position, so items added or dropped meanwhile neither repeat nor shift the page.
/// </summary>
internal static class PageCursor
{
    public static string Encode(long ticks, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(ticks.ToString(CultureInfo.InvariantCulture) + ":" + id));

    public static LogKey<string> Decode(string cursor, string paramName)
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

        return new LogKey<string>(ticks, text[(colon + 1)..]);
    }

    public static LogKey<Guid> DecodeGuid(string cursor, string paramName)
    {
        var key = Decode(cursor, paramName);
        return Guid.TryParseExact(key.Id, "N", out var id) ? new LogKey<Guid>(key.Ticks, id) : throw Invalid(cursor, paramName);
    }

    private static ArgumentException Invalid(string cursor, string paramName) => new(
        $"The cursor '{cursor}' is not one this list handed out. Pass the NextCursor of the previous page unchanged, or null for the first page.",
        paramName);
}
