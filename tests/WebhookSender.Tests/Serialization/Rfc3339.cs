using System.Globalization;
using System.Text.RegularExpressions;

namespace WebhookSender.Tests.Serialization;

/// <summary>
/// A strict RFC 3339 date-time check (section 5.6), written from the grammar rather than with .NET's lenient parsers:
/// <c>full-date "T" full-time</c>, two-digit fields, an optional fraction, and <c>Z</c> or a numeric offset.
/// </summary>
internal static partial class Rfc3339
{
    /// <summary>Parses <paramref name="text"/> as an RFC 3339 date-time, or fails the test saying why.</summary>
    public static DateTimeOffset Parse(string text)
    {
        var match = DateTime().Match(text);
        Assert.True(match.Success, $"'{text}' is not an RFC 3339 date-time");
        int year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        int month = int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture);
        int day = int.Parse(match.Groups["day"].Value, CultureInfo.InvariantCulture);
        Assert.True(day <= System.DateTime.DaysInMonth(year, month), $"'{text}' names day {day} of a month with {System.DateTime.DaysInMonth(year, month)} days");
        var offset = match.Groups["offset"].Value is "Z" or "z"
            ? TimeSpan.Zero
            : TimeSpan.ParseExact(match.Groups["offset"].Value[1..], @"hh\:mm", CultureInfo.InvariantCulture) * (match.Groups["offset"].Value[0] == '-' ? -1 : 1);
        string fraction = match.Groups["fraction"].Value;
        long ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture);
        return new DateTimeOffset(
            year, month, day,
            int.Parse(match.Groups["hour"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["minute"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["second"].Value, CultureInfo.InvariantCulture),
            offset).AddTicks(ticks);
    }

    /// <summary>The digits of the fraction of seconds, empty without one.</summary>
    public static string Fraction(string text) => DateTime().Match(text).Groups["fraction"].Value;

    [GeneratedRegex(
        @"^(?<year>\d{4})-(?<month>0[1-9]|1[0-2])-(?<day>0[1-9]|[12]\d|3[01])[Tt](?<hour>[01]\d|2[0-3]):(?<minute>[0-5]\d):(?<second>[0-5]\d|60)(\.(?<fraction>\d+))?(?<offset>[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex DateTime();
}
