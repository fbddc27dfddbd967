namespace WebhookSender;

/// <summary>Which attempts to read from the delivery log; newest first.</summary>
public sealed record AttemptQuery
{
    /// <summary>Only attempts to this subscription.</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>Only attempts of this message.</summary>
    public string? MessageId { get; init; }

    /// <summary>Only attempts of this delivery.</summary>
    public string? DeliveryId { get; init; }

    /// <summary>Only this tenant's attempts.</summary>
    public string? TenantId { get; init; }

    /// <summary>Only successful (<see langword="true"/>) or failed (<see langword="false"/>) attempts.</summary>
    public bool? Succeeded { get; init; }

    /// <summary>Only attempts started at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only attempts started before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Page size, 1 to 1,000 (default 100).</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The previous page's <see cref="WebhookPage{T}.NextCursor"/>.</summary>
    public string? Cursor { get; init; }
}
