namespace WebhookSender;

/// <summary>Which subscriptions to list.</summary>
public sealed record SubscriptionQuery
{
    /// <summary>Only this tenant's subscriptions; <see langword="null"/> lists every tenant's.</summary>
    public string? TenantId { get; init; }

    /// <summary>Page size, 1 to 1,000 (default 100).</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The <see cref="WebhookPage{T}.NextCursor"/> of the previous page, or <see langword="null"/> for the first.</summary>
    public string? Cursor { get; init; }
}
