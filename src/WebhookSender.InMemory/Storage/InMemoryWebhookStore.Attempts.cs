namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    private static readonly LogKeyComparer<Guid> AttemptsNewestFirst = new(Comparer<Guid>.Default, newestFirst: true);

    // The attempt log is a window: newest first, so the oldest attempt is the set's Max.
    private readonly Dictionary<Guid, AttemptEntry> _attempts = [];
    private readonly SortedSet<LogKey<Guid>> _attemptLog = new(AttemptsNewestFirst);

    // The request bodies the log keeps, by message: its attempts share one copy of each distinct body.
    private readonly Dictionary<string, List<StoredText>> _requestBodies = new(StringComparer.Ordinal);
    private long _attemptBytes;

    public Task AddAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            CheckNewAttempt(attempt);
            AppendAttempt(attempt);
        }

        return Task.CompletedTask;
    }

    private void CheckNewAttempt(DeliveryAttempt attempt)
    {
        if (_attempts.ContainsKey(attempt.Id))
        {
            throw new InvalidOperationException($"An attempt with the id '{attempt.Id}' is already in the log.");
        }
    }

    /// <summary>Under the lock: adds a checked attempt to the window, dropping the oldest beyond its size in attempts or bytes.</summary>
    private void AppendAttempt(DeliveryAttempt attempt)
    {
        var entry = new AttemptEntry(attempt, ShareRequestBody(attempt));
        _attempts.Add(entry.Id, entry);
        _attemptLog.Add(new LogKey<Guid>(attempt.StartedAt.UtcTicks, entry.Id));
        _attemptBytes += entry.OwnBytes;
        while (_attemptLog.Count > _maxAttempts || (_attemptBytes > _maxAttemptBytes && _attemptLog.Count > 1))
        {
            var oldest = _attemptLog.Max;
            _attemptLog.Remove(oldest);
            _attempts.Remove(oldest.Id, out var dropped);
            _attemptBytes -= dropped!.OwnBytes;
            ReleaseRequestBody(dropped.Fields.MessageId, dropped.RequestBody);
        }
    }

    /// <summary>The stored copy of the attempt's request body: one already kept for its message if the bytes are the same.</summary>
    private StoredText ShareRequestBody(DeliveryAttempt attempt)
    {
        var body = StoredText.From(attempt.Request.Body);
        if (body.Bytes == 0)
        {
            return body;
        }

        if (!_requestBodies.TryGetValue(attempt.MessageId, out var kept))
        {
            _requestBodies[attempt.MessageId] = kept = new List<StoredText>(1);
        }

        var shared = kept.Find(body.SameAs);
        if (shared is null)
        {
            shared = body;
            kept.Add(shared);
            _attemptBytes += shared.Bytes;
        }

        shared.References++;
        return shared;
    }

    private void ReleaseRequestBody(string messageId, StoredText body)
    {
        if (body.Bytes == 0 || --body.References > 0)
        {
            return;
        }

        _attemptBytes -= body.Bytes;
        var kept = _requestBodies[messageId];
        kept.Remove(body);
        if (kept.Count == 0)
        {
            _requestBodies.Remove(messageId);
        }
    }

    public Task<WebhookPage<DeliveryAttempt>> ListAttemptsAsync(AttemptQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        LogKey<Guid>? after = query.Cursor is { } cursor && PageCursor.DecodeAttempt(cursor, nameof(query)) is var (ticks, id) ? new LogKey<Guid>(ticks, Guid.ParseExact(id, "N")) : null;
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var page = ReadPage(
                _attemptLog,
                AttemptsNewestFirst,
                after,
                query.Since,
                query.Until,
                query.Limit,
                key => _attempts[key.Id],
                entry => Matches(query, entry.Fields),
                key => PageCursor.Encode(key.Ticks, key.Id.ToString("N")));
            return Task.FromResult(new WebhookPage<DeliveryAttempt>([.. page.Items.Select(entry => entry.Attempt)], page.NextCursor));
        }
    }

    public Task<DeliveryAttempt?> GetAttemptAsync(Guid id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_attempts.TryGetValue(id, out var entry) ? entry.Attempt : null);
        }
    }

    private static bool Matches(AttemptQuery query, DeliveryAttempt attempt) =>
        (query.SubscriptionId is null || string.Equals(attempt.SubscriptionId, query.SubscriptionId, StringComparison.Ordinal))
        && (query.MessageId is null || string.Equals(attempt.MessageId, query.MessageId, StringComparison.Ordinal))
        && (query.DeliveryId is null || string.Equals(attempt.DeliveryId, query.DeliveryId, StringComparison.Ordinal))
        && (query.TenantId is null || string.Equals(attempt.TenantId, query.TenantId, StringComparison.Ordinal))
        && (query.Succeeded is null || attempt.Succeeded == query.Succeeded);
}
