using System.Text.Json;

namespace WebhookSender;

/// <summary>
/// A published event as stored. Its <see cref="Id"/> (<c>msg_…</c>) is sent as <c>webhook-id</c> and stays the
/// same on every retry and redelivery, so receivers can drop duplicates.
/// </summary>
public sealed record WebhookMessage
{
    /// <summary>The message id, <c>msg_</c> followed by 32 lowercase hex digits.</summary>
    public required string Id { get; init; }

    /// <summary>The event type.</summary>
    public required string EventType { get; init; }

    /// <summary>The tenant the event belongs to, if any.</summary>
    public string? TenantId { get; init; }

    /// <summary>The publisher's idempotency key (<see cref="WebhookEvent.Id"/>), if any.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>When the event happened (the envelope's <c>timestamp</c>).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The event data as JSON.</summary>
    public required JsonElement Data { get; init; }

    /// <summary>Extra top-level envelope fields, as a JSON object, or <see langword="null"/>.</summary>
    public JsonElement? Context { get; init; }

    /// <summary>The event's filter attributes.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = EmptyAttributes;

    /// <summary>When the message was stored.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the activity the message was published in (the <c>webhooks.publish</c> span, or the
    /// caller's own when that is not traced), or <see langword="null"/> when nothing was traced. Delivery spans link to
    /// it. Stores keep it as they got it; a value that does not parse is no link.
    /// </summary>
    public string? TraceParent { get; init; }

    internal static readonly IReadOnlyDictionary<string, string> EmptyAttributes = new Dictionary<string, string>();
}
