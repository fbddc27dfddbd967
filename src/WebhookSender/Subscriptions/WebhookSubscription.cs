namespace WebhookSender;

/// <summary>
/// An endpoint that receives webhooks: where to send, which events, how to sign them, and its health.
/// Read APIs (<see cref="IWebhookSubscriptions"/>) return it with secret values redacted.
/// </summary>
public sealed record WebhookSubscription
{
    /// <summary>The subscription id, <c>sub_</c> followed by 32 lowercase hex digits.</summary>
    public required string Id { get; init; }

    /// <summary>The tenant that owns the subscription; it only receives that tenant's events.</summary>
    public string? TenantId { get; init; }

    /// <summary>A short display name.</summary>
    public string? Name { get; init; }

    /// <summary>A longer description.</summary>
    public string? Description { get; init; }

    /// <summary>The absolute http or https URL requests are sent to.</summary>
    public required Uri Url { get; init; }

    /// <summary>The HTTP method: POST (default) or PUT.</summary>
    public WebhookHttpMethod Method { get; init; } = WebhookHttpMethod.Post;

    /// <summary>The body format, one of <see cref="WebhookFormats"/> or a host-registered name.</summary>
    public string Format { get; init; } = WebhookFormats.Json;

    /// <summary>The event types delivered; empty or <c>*</c> means every type.</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];

    /// <summary>Signing secrets: the current one plus rotated-out ones until they expire.</summary>
    public IReadOnlyList<WebhookSecret> Secrets { get; init; } = [];

    /// <summary>Whether deliveries are sent. Disabled subscriptions receive nothing.</summary>
    public bool IsActive { get; init; } = true;

    /// <summary>Delays between retries for this subscription, overriding <see cref="WebhookOptions.RetrySchedule"/>.</summary>
    public IReadOnlyList<TimeSpan>? RetrySchedule { get; init; }

    /// <summary>Failed attempts in a row since the last success (test and ping attempts excluded).</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the current run of failures started, or <see langword="null"/> when healthy.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>When the subscription was disabled, or <see langword="null"/>.</summary>
    public DateTimeOffset? DisabledAt { get; init; }

    /// <summary>Why the subscription was disabled (for example the endpoint answered 410 Gone).</summary>
    public string? DisabledReason { get; init; }

    /// <summary>When the subscription was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the subscription was last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// Concurrency token: a store only accepts an update carrying the version it holds, and increments it.
    /// </summary>
    public long Version { get; init; }

    /// <summary>Whether this subscription wants events of the given type.</summary>
    public bool Accepts(string eventType) =>
        EventTypes.Count == 0 || EventTypes.Contains(WebhookSubscriptionRequest.AllEventTypes) || EventTypes.Contains(eventType);
}
