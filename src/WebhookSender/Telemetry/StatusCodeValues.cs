namespace WebhookSender;

/// <summary>
/// Status codes as tag values, made once per code: an <see cref="int"/> tag would be boxed, and an <c>error.type</c>
/// formatted, on every attempt measured.
/// </summary>
internal static class StatusCodeValues
{
    private const int First = 100;
    private const int Last = 599;

    private static readonly object?[] Boxes = new object?[Last - First + 1];
    private static readonly string?[] Texts = new string?[Last - First + 1];

    /// <summary>The status code, boxed.</summary>
    public static object Boxed(int statusCode) => statusCode is < First or > Last
        ? statusCode
        : Boxes[statusCode - First] ??= statusCode;

    /// <summary>The status code as text, the <c>error.type</c> of a failed response.</summary>
    public static string Text(int statusCode) => statusCode is < First or > Last
        ? statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Texts[statusCode - First] ??= statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
