namespace WebhookSender;

/// <summary>
/// Sends a subscription's events together: everything published within a window goes out as one <c>jsonarray</c>
/// request (at most <see cref="MaxSize"/> events) with one <c>webhook-id</c> for the batch and each event's own id inside.
/// </summary>
public sealed record WebhookBatching
{
    /// <summary>How long events are collected before they are sent together, 1 second to 24 hours.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>The most events in one request, 1 to 1,000 (default 100); more are sent in further batches.</summary>
    public int MaxSize { get; init; } = 100;
}
