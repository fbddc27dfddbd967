namespace WebhookSender;

/// <summary>Which subscriptions to list.</summary>
public sealed record SubscriptionQuery
{
    /// <summary>Only this tenant's subscriptions; <see langword="null"/> lists every tenant's.</summary>
    public string? TenantId { get; init; }

    /// <summary>
    /// Only subscriptions that receive this event type: those that name it, and those that take every type
    /// (<see cref="WebhookSubscriptionRequest.AllEventTypes"/>); <see langword="null"/> for any.
    /// </summary>
    public string? EventType { get; init; }

    /// <summary>Only active (<see langword="true"/>) or only disabled (<see langword="false"/>) subscriptions; <see langword="null"/> for both.</summary>
    public bool? IsActive { get; init; }

    /// <summary>Page size, 1 to 1,000 (default 100).</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The <see cref="WebhookPage{T}.NextCursor"/> of the previous page, or <see langword="null"/> for the first.</summary>
    public string? Cursor { get; init; }
}
