namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    private static readonly LogKeyComparer<Guid> AttemptsNewestFirst = new(Comparer<Guid>.Default, newestFirst: true);

    // The attempt log is a window: newest first, so the oldest attempt is the set's Max.
    private readonly Dictionary<Guid, DeliveryAttempt> _attempts = [];
    private readonly SortedSet<LogKey<Guid>> _attemptLog = new(AttemptsNewestFirst);

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

    /// <summary>Under the lock: adds a checked attempt to the window, dropping the oldest beyond its size.</summary>
    private void AppendAttempt(DeliveryAttempt attempt)
    {
        _attempts.Add(attempt.Id, attempt);
        _attemptLog.Add(new LogKey<Guid>(attempt.StartedAt.UtcTicks, attempt.Id));
        while (_attemptLog.Count > _maxAttempts)
        {
            var oldest = _attemptLog.Max;
            _attemptLog.Remove(oldest);
            _attempts.Remove(oldest.Id);
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
                attempt => Matches(query, attempt),
                key => PageCursor.Encode(key.Ticks, key.Id.ToString("N")));
            return Task.FromResult(page);
        }
    }

    private static bool Matches(AttemptQuery query, DeliveryAttempt attempt) =>
        (query.SubscriptionId is null || string.Equals(attempt.SubscriptionId, query.SubscriptionId, StringComparison.Ordinal))
        && (query.MessageId is null || string.Equals(attempt.MessageId, query.MessageId, StringComparison.Ordinal))
        && (query.DeliveryId is null || string.Equals(attempt.DeliveryId, query.DeliveryId, StringComparison.Ordinal))
        && (query.TenantId is null || string.Equals(attempt.TenantId, query.TenantId, StringComparison.Ordinal))
        && (query.Succeeded is null || attempt.Succeeded == query.Succeeded);
}
