namespace WebhookSender;

/// <summary>
/// An event the application publishes. Each active subscription that matches its <see cref="Type"/>,
/// <see cref="TenantId"/> and filters receives one signed HTTP request carrying it.
/// </summary>
public sealed record WebhookEvent
{
    /// <summary>Creates an event of the given catalogued type with its data.</summary>
    /// <param name="type">A type registered with <c>AddEventType</c>, for example <c>order.updated</c>.</param>
    /// <param name="data">Any object <see cref="System.Text.Json.JsonSerializer"/> can serialize; it becomes the envelope's <c>data</c>.</param>
    public WebhookEvent(string type, object? data)
    {
        Type = type;
        Data = data;
    }

    /// <summary>The event type, for example <c>order.updated</c>. It must be in the event-type catalog.</summary>
    public string Type { get; init; }

    /// <summary>The payload, serialized with System.Text.Json into the envelope's <c>data</c> field.</summary>
    public object? Data { get; init; }

    /// <summary>
    /// Optional idempotency key. Publishing two events with the same key (and tenant) yields one message,
    /// as long as the store still holds the first one.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>Optional tenant: only subscriptions of the same tenant receive the event (no tenant matches no tenant).</summary>
    public string? TenantId { get; init; }

    /// <summary>String attributes subscriptions can filter on, for example <c>campaign=42</c>.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>
    /// Extra top-level envelope fields such as <c>sender</c>, <c>organization</c> or <c>project</c>.
    /// Names may not repeat the envelope's own fields (<c>id</c>, <c>type</c>, <c>timestamp</c>, <c>data</c>).
    /// </summary>
    public IReadOnlyDictionary<string, object?>? Context { get; init; }

    /// <summary>When the event happened; defaults to the publish time.</summary>
    public DateTimeOffset? OccurredAt { get; init; }
}
