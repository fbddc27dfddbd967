namespace WebhookSender.InMemory;

/// <summary>
/// An attempt as the log keeps it: the record without its bodies, and the bodies as <see cref="StoredText"/>; the
/// request body is shared with the other attempts that sent the same bytes for the same message.
/// </summary>
internal sealed class AttemptEntry
{
    // What a record, its request and response, and the header array cost besides their strings, about.
    private const int Overhead = 400;

    private readonly DeliveryAttempt _attempt;

    public AttemptEntry(DeliveryAttempt attempt, StoredText requestBody)
    {
        RequestBody = requestBody;
        ResponseBody = attempt.Response is { } response ? StoredText.From(response.Body) : null;
        _attempt = attempt with
        {
            Request = attempt.Request with { Body = string.Empty },
            Response = attempt.Response is { } kept ? kept with { Body = string.Empty } : null,
        };
        OwnBytes = Overhead + (ResponseBody?.Bytes ?? 0) + 2 * (Length(attempt.Request.Url) + Length(attempt.Error) + Length(attempt.Request.Headers) + Length(attempt.Response?.Headers));
    }

    public Guid Id => _attempt.Id;

    public StoredText RequestBody { get; }

    public StoredText? ResponseBody { get; }

    /// <summary>What this attempt costs to keep, about, not counting its shared request body.</summary>
    public int OwnBytes { get; }

    /// <summary>The attempt as logged, with its bodies.</summary>
    public DeliveryAttempt Attempt => _attempt with
    {
        Request = _attempt.Request with { Body = RequestBody.ToString() },
        Response = _attempt.Response is { } response ? response with { Body = ResponseBody!.ToString() } : null,
    };

    /// <summary>The fields queries filter on, without making the record.</summary>
    public DeliveryAttempt Fields => _attempt;

    private static int Length(string? text) => text?.Length ?? 0;

    private static int Length(IReadOnlyDictionary<string, string>? headers)
    {
        int length = 0;
        foreach (var (name, value) in headers ?? EmptyHeaders)
        {
            length += name.Length + value.Length + 24;
        }

        return length;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyHeaders = new Dictionary<string, string>();
}
