namespace WebhookSender.InMemory;

/// <summary>
/// An attempt as the log keeps it: a value in the log's array, its own text (URL, error, headers, warnings) packed into
/// one UTF-8 array, its request body shared with the other attempts of its message that sent the same bytes. The
/// dispatcher's record, its request, response and header objects die young; a record is made again when the attempt is
/// read.
/// </summary>
internal readonly struct PackedAttempt
{
    // What the value in the array and the id index cost besides the packed text and the bodies, about.
    private const int Overhead = 200;

    // The packed text: method, URL, error, then the request's header names and values, the response's, the warnings.
    private const int FixedStrings = 3;

    // Small fields first, packed: HTTP caps a response's headers at 64 KiB, so their count fits in 16 bits.
    private readonly DeliveryKey _deliveryId;
    private readonly long _durationTicks;
    private readonly StoredText? _responseBody;
    private readonly PackedStrings _text;
    private readonly int _attemptNumber;
    private readonly short _offsetMinutes;
    private readonly short _statusCode;
    private readonly ushort _requestHeaders;
    private readonly ushort _responseHeaders;
    private readonly ushort _warnings;
    private readonly AttemptTrigger _trigger;
    private readonly Flags _flags;

    public PackedAttempt(DeliveryAttempt attempt, StoredText requestBody, List<string?> scratch)
    {
        Key = new LogKey<Guid>(attempt.StartedAt.UtcTicks, attempt.Id);
        MessageId = attempt.MessageId;
        SubscriptionId = attempt.SubscriptionId;
        TenantId = attempt.TenantId;
        EventType = attempt.EventType;
        RequestBody = requestBody;
        _deliveryId = attempt.DeliveryId is { } deliveryId ? DeliveryKey.From(deliveryId) : default;
        _offsetMinutes = (short)attempt.StartedAt.TotalOffsetMinutes;
        _durationTicks = attempt.Duration.Ticks;
        _attemptNumber = attempt.AttemptNumber;
        _trigger = attempt.Trigger;
        var response = attempt.Response;
        _statusCode = (short)(response?.StatusCode ?? 0);
        _responseBody = response is null ? null : StoredText.From(response.Body);
        _flags = (attempt.DeliveryId is not null ? Flags.HasDelivery : 0) | (attempt.Succeeded ? Flags.Succeeded : 0)
            | (attempt.Request.BodyTruncated ? Flags.RequestTruncated : 0) | (response?.BodyTruncated == true ? Flags.ResponseTruncated : 0);

        scratch.Clear();
        scratch.Add(attempt.Request.Method);
        scratch.Add(attempt.Request.Url);
        scratch.Add(attempt.Error);
        _requestHeaders = AddHeaders(scratch, attempt.Request.Headers);
        _responseHeaders = response is null ? (ushort)0 : AddHeaders(scratch, response.Headers);
        scratch.AddRange(attempt.Warnings);
        _warnings = checked((ushort)attempt.Warnings.Count);
        _text = PackedStrings.Pack(scratch);
    }

    /// <summary>Where it sits in the log: start time, then id.</summary>
    public LogKey<Guid> Key { get; }

    public string MessageId { get; }

    public string SubscriptionId { get; }

    public string? TenantId { get; }

    public string EventType { get; }

    public DeliveryKey? DeliveryId => (_flags & Flags.HasDelivery) != 0 ? _deliveryId : (DeliveryKey?)null;

    public bool Succeeded => (_flags & Flags.Succeeded) != 0;

    public StoredText RequestBody { get; }

    /// <summary>What this attempt costs to keep, about, not counting its shared request body.</summary>
    public int OwnBytes => Overhead + _text.Bytes + (_responseBody?.Bytes ?? 0);

    /// <summary>The attempt as logged, with its bodies.</summary>
    public DeliveryAttempt ToAttempt()
    {
        var text = _text.Unpack(FixedStrings + 2 * (_requestHeaders + _responseHeaders) + _warnings);
        int next = FixedStrings;
        var requestHeaders = ReadHeaders(text, ref next, _requestHeaders);
        var responseHeaders = ReadHeaders(text, ref next, _responseHeaders);
        return new DeliveryAttempt
        {
            Id = Key.Id,
            DeliveryId = DeliveryId?.ToString(),
            MessageId = MessageId,
            SubscriptionId = SubscriptionId,
            TenantId = TenantId,
            EventType = EventType,
            AttemptNumber = _attemptNumber,
            Trigger = _trigger,
            StartedAt = new DateTimeOffset(Key.Ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(_offsetMinutes)),
            Duration = TimeSpan.FromTicks(_durationTicks),
            Succeeded = Succeeded,
            Request = new AttemptRequest(text[0]!, text[1]!, requestHeaders, RequestBody.ToString(), (_flags & Flags.RequestTruncated) != 0),
            Response = _responseBody is { } body ? new AttemptResponse(_statusCode, responseHeaders, body.ToString(), (_flags & Flags.ResponseTruncated) != 0) : null,
            Error = text[2],
            Warnings = _warnings == 0 ? [] : [.. text.Skip(next).Select(warning => warning!)],
        };
    }

    /// <summary>Whether the attempt passes the query's filters (not its time range or cursor); <paramref name="deliveryId"/> is the query's, as a key.</summary>
    public bool Matches(AttemptQuery query, DeliveryKey? deliveryId) =>
        (query.SubscriptionId is null || string.Equals(SubscriptionId, query.SubscriptionId, StringComparison.Ordinal))
        && (query.MessageId is null || string.Equals(MessageId, query.MessageId, StringComparison.Ordinal))
        && (deliveryId is not { } wanted || (DeliveryId is { } own && own.Equals(wanted)))
        && (query.TenantId is null || string.Equals(TenantId, query.TenantId, StringComparison.Ordinal))
        && (query.Succeeded is null || Succeeded == query.Succeeded);

    private static ushort AddHeaders(List<string?> scratch, IReadOnlyDictionary<string, string> headers)
    {
        ushort count = 0;
        foreach (var (name, value) in headers)
        {
            scratch.Add(name);
            scratch.Add(value);
            count = checked((ushort)(count + 1));
        }

        return count;
    }

    private static Dictionary<string, string> ReadHeaders(string?[] text, ref int next, int count)
    {
        var headers = new Dictionary<string, string>(count, StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < count; i++, next += 2)
        {
            headers[text[next]!] = text[next + 1]!;
        }

        return headers;
    }

    [Flags]
    private enum Flags : byte
    {
        HasDelivery = 1,
        Succeeded = 2,
        RequestTruncated = 4,
        ResponseTruncated = 8,
    }
}
