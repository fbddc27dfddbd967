using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace WebhookSender.AspNetCore;

/// <summary>
/// Reads the query string of the list endpoints by hand, so that a bad value answers a problem naming the parameter
/// (minimal APIs' own binding answers a bare 400).
/// </summary>
internal sealed class QueryValues(HttpRequest request)
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    /// <summary>The problems found so far; <see langword="null"/> when every value read well.</summary>
    public IResult? Problem => _errors.Count == 0 ? null : ApiProblems.Invalid(_errors);

    public string? Text(string name) => request.Query[name] is { Count: > 0 } values && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    public int? Limit()
    {
        if (Text("limit") is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int limit) && limit is >= 1 and <= 1000)
        {
            return limit;
        }

        return Refuse<int?>("limit", $"The page size must be a whole number from 1 to 1000; '{text}' is not.");
    }

    /// <summary>A number of seconds from 0 to <paramref name="max"/>, or <see langword="null"/> when not given.</summary>
    public TimeSpan? Seconds(string name, double max)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) && seconds <= max
            ? TimeSpan.FromSeconds(seconds)
            : Refuse<TimeSpan?>(name, $"The {name} must be 0 to {max} seconds; '{text}' is not.");
    }

    public bool? Boolean(string name) => Text(name) switch
    {
        null => null,
        var t when bool.TryParse(t, out bool value) => value,
        var t => Refuse<bool?>(name, $"'{t}' is not true or false."),
    };

    public DateTimeOffset? Time(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : Refuse<DateTimeOffset?>(name, $"'{text}' is not a time; use ISO 8601, for example 2026-12-03T10:00:00Z.");
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive, returned lowercase), or <see langword="null"/> when absent.</summary>
    public string? OneOf(string name, params string[] allowed)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        string lower = text.ToLowerInvariant();
        return allowed.Contains(lower) ? lower : Refuse<string?>(name, $"'{text}' is not one of: {string.Join(", ", allowed)}.");
    }

    /// <summary>
    /// The subscription list's cursor (its core form is the last id of a page, which would let a caller start anywhere):
    /// handed out as base64url of that id, so that what comes back is either a cursor this API made or refused.
    /// </summary>
    public string? OpaqueCursor()
    {
        if (Text("cursor") is not { } text)
        {
            return null;
        }

        try
        {
            string id = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(text));
            if (id.StartsWith("sub_", StringComparison.Ordinal))
            {
                return id;
            }
        }
        catch (FormatException)
        {
        }

        return Refuse<string?>("cursor", $"The cursor '{text}' is not one this list handed out. Pass the nextCursor of the previous page unchanged, or none for the first page.");
    }

    public static string? ToOpaqueCursor(string? cursor) =>
        cursor is null ? null : System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(cursor));

    private T Refuse<T>(string name, string error)
    {
        _errors[name] = [error];
        return default!;
    }
}
