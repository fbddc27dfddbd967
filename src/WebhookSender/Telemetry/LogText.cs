namespace WebhookSender;

/// <summary>
/// Makes text that comes from outside (receivers' reason phrases, exception messages, tenant ids, reasons) safe as a log
/// value: console and file formatters write a value as it is, so a line break in it would start a forged log line.
/// </summary>
internal static class LogText
{
    /// <summary>
    /// The text on one line: control characters and the Unicode line and paragraph separators are written as escapes
    /// (<c>\r</c>, <c>\n</c>, <c>\t</c>, <c>\uXXXX</c>), so no value can break a line or move a terminal's cursor.
    /// </summary>
    public static string OneLine(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        int first = IndexOfUnsafe(value);
        if (first < 0)
        {
            return value; // the usual case: nothing to copy
        }

        var builder = new System.Text.StringBuilder(value.Length + 16);
        builder.Append(value, 0, first);
        for (int i = first; i < value.Length; i++)
        {
            char c = value[i];
            switch (c)
            {
                case '\r': builder.Append("\\r"); break;
                case '\n': builder.Append("\\n"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (IsUnsafe(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// <see cref="OneLine"/> without trailing full stops: for a value the message template follows with its own, so that
    /// a line never ends a sentence twice (<c>500 Internal Server Error.. Next attempt</c>).
    /// </summary>
    public static string Clause(string? value) => OneLine(value).TrimEnd('.', ' ');

    private static int IndexOfUnsafe(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (IsUnsafe(value[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
