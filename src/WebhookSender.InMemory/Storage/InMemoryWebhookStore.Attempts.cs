namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    public Task AddAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            CheckNewAttempt(attempt);
            _attempts.Add(attempt);
        }

        return Task.CompletedTask;
    }

    private void CheckNewAttempt(DeliveryAttempt attempt)
    {
        if (_attempts.Contains(attempt.Id))
        {
            throw new InvalidOperationException($"An attempt with the id '{attempt.Id}' is already in the log.");
        }
    }

    public Task<WebhookPage<DeliveryAttempt>> ListAttemptsAsync(AttemptQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        LogKey<Guid>? after = query.Cursor is { } cursor && PageCursor.DecodeAttempt(cursor, nameof(query)) is var (ticks, id) ? new LogKey<Guid>(ticks, Guid.ParseExact(id, "N")) : null;
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var (items, next) = _attempts.ReadPage(query, after, ClampLimit(query.Limit));
            return Task.FromResult(new WebhookPage<DeliveryAttempt>(items, next is { } key ? PageCursor.Encode(key.Ticks, key.Id.ToString("N")) : null));
        }
    }

    public Task<DeliveryAttempt?> GetAttemptAsync(Guid id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_attempts.Find(id));
        }
    }
}
