using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace WebhookSender.AspNetCore;

/// <summary>
/// Reads a JSON request body within the host's size limit. Malformed JSON, a value of the wrong type and an unknown
/// field answer 400 naming the field, before anything reaches the core.
/// </summary>
internal static class RequestBody
{
    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer; an empty body is <paramref name="empty"/>.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, WebhookApiContext api, T? empty = default)
        where T : class
    {
        var (bytes, problem) = await ReadBytesAsync(request, api.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        if (bytes.Length == 0)
        {
            return empty is not null ? (empty, null) : (null, ApiProblems.Invalid("body", "The request has no body; send a JSON object."));
        }

        return Parse<T>(bytes, api.ReadJson);
    }

    /// <summary>The body as a JSON object (a merge patch), or the problem to answer.</summary>
    public static async Task<(JsonElement Value, IResult? Problem)> ReadObjectAsync(HttpRequest request, WebhookApiContext api)
    {
        var (bytes, problem) = await ReadBytesAsync(request, api.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return (default, problem);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, ApiProblems.Invalid("body", "The body must be a JSON object (a merge patch: the fields to change, null to clear one)."));
        }
        catch (JsonException ex)
        {
            return (default, ApiProblems.Invalid("body", $"The body is not valid JSON: {ex.Message}"));
        }
    }

    /// <summary>Deserializes <paramref name="json"/>, turning the serializer's refusal into a 400 naming the field.</summary>
    public static (T? Value, IResult? Problem) Parse<T>(ReadOnlySpan<byte> json, JsonSerializerOptions options)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, options);
            return value is null ? (null, ApiProblems.Invalid("body", "The body is null; send a JSON object.")) : (value, null);
        }
        catch (JsonException ex)
        {
            // A value of the wrong type or an unknown field is the field's problem; broken JSON is the body's.
            bool aboutField = ex.Message.Contains("could not be converted", StringComparison.Ordinal) || ex.Message.Contains("could not be mapped", StringComparison.Ordinal);
            string field = aboutField && ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            return (null, ApiProblems.Invalid(field, Describe(ex)));
        }
    }

    private static async Task<(byte[] Bytes, IResult? Problem)> ReadBytesAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return ([], TooLarge(limit));
        }

        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return ([], ApiProblems.Invalid("body", $"The body is '{type}'; send JSON with content-type application/json."));
        }

        // Read at most limit + 1 bytes: enough to know the body is too large without buffering the rest.
        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit + 1, 16 * 1024));
        while (buffer.WrittenCount <= limit)
        {
            var memory = buffer.GetMemory(Math.Min(8 * 1024, limit + 1 - buffer.WrittenCount));
            int read = await request.Body.ReadAsync(memory, request.HttpContext.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                return (buffer.WrittenSpan.ToArray(), null);
            }

            buffer.Advance(read);
        }

        return ([], TooLarge(limit));
    }

    private static IResult TooLarge(int limit) => ApiProblems.Invalid(
        "body", $"The body is larger than {limit} bytes (WebhookApiOptions.MaxRequestBodyBytes); nothing was stored. Send a smaller request.");

    private static string Describe(JsonException ex)
    {
        // The serializer's messages name the CLR type and the path; keep the part a caller can act on.
        string message = ex.Message;
        int path = message.IndexOf(" Path:", StringComparison.Ordinal);
        string reason = path > 0 ? message[..path] : message;
        string field = ex.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "this field";
        return reason.Contains("could not be mapped", StringComparison.Ordinal)
            ? $"'{field}' is not a field of this request; check its spelling against the API's documentation."
            : reason.Contains("could not be converted", StringComparison.Ordinal)
                ? "The value has the wrong type for this field (a string where a number is expected, say)."
                : $"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {reason}";
    }
}
