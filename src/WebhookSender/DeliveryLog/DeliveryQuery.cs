namespace WebhookSender;

/// <summary>Which deliveries to list; newest first.</summary>
public sealed record DeliveryQuery
{
    /// <summary>Only deliveries to this subscription.</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>Only deliveries of this message.</summary>
    public string? MessageId { get; init; }

    /// <summary>Only this tenant's deliveries.</summary>
    public string? TenantId { get; init; }

    /// <summary>Only deliveries in this status.</summary>
    public DeliveryStatus? Status { get; init; }

    /// <summary>Only deliveries created at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only deliveries created before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Page size, 1 to 1,000 (default 100).</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The previous page's <see cref="WebhookPage{T}.NextCursor"/>.</summary>
    public string? Cursor { get; init; }
}
