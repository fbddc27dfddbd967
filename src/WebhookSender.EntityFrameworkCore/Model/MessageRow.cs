namespace WebhookSender.EntityFrameworkCore;

/// <summary>A row of <c>webhook_messages</c>: a published event, its data and context as JSON text.</summary>
internal sealed class MessageRow
{
    public required string Id { get; set; }

    public required string EventType { get; set; }

    public string? TenantId { get; set; }

    /// <summary>The tenant id, or the empty string for "no tenant": with the key, unique among stored messages.</summary>
    public required string TenantKey { get; set; }

    public string? IdempotencyKey { get; set; }

    /// <summary>UTC ticks.</summary>
    public long Timestamp { get; set; }

    /// <summary>UTC ticks.</summary>
    public long CreatedAt { get; set; }

    public required string Data { get; set; }

    public string? Context { get; set; }

    /// <summary>The filter attributes as a JSON object, or <see langword="null"/> when there are none.</summary>
    public string? Attributes { get; set; }

    /// <summary>The W3C traceparent the message was published in, for the delivery spans' links.</summary>
    public string? TraceParent { get; set; }
}
