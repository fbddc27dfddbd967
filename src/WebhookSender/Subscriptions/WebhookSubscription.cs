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

    /// <summary>
    /// The absolute http or https URL requests are sent to; <see langword="null"/> for a pull subscription, whose
    /// messages are kept for its reader (<see cref="IWebhookUpdates.ReadAsync"/>).
    /// </summary>
    public Uri? Url { get; init; }

    /// <summary>Whether this is a pull subscription: no URL, its messages are read with <see cref="IWebhookUpdates"/>.</summary>
    public bool IsPull => Url is null;

    /// <summary>The HTTP method: POST (default) or PUT.</summary>
    public WebhookHttpMethod Method { get; init; } = WebhookHttpMethod.Post;

    /// <summary>The body format, one of <see cref="WebhookFormats"/> or a host-registered name.</summary>
    public string Format { get; init; } = WebhookFormats.Json;

    /// <summary>The event types delivered; empty or <c>*</c> means every type.</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];

    /// <summary>Signing secrets: the current one plus rotated-out ones until they expire.</summary>
    public IReadOnlyList<WebhookSecret> Secrets { get; init; } = [];

    /// <summary>Which signatures requests carry: <c>v1</c> (the default), <c>v1a</c> (Ed25519), or both.</summary>
    public WebhookSignatures Signatures { get; init; } = WebhookSignatures.V1;

    /// <summary>Ed25519 key pairs for <c>v1a</c>: the current one plus rotated-out ones until they expire. Read APIs show the public keys only.</summary>
    public IReadOnlyList<WebhookSigningKey> SigningKeys { get; init; } = [];

    /// <summary>Whether deliveries are sent. Disabled subscriptions receive nothing.</summary>
    public bool IsActive { get; init; } = true;

    /// <summary>Delays between retries for this subscription, overriding <see cref="WebhookOptions.RetrySchedule"/>.</summary>
    public IReadOnlyList<TimeSpan>? RetrySchedule { get; init; }

    /// <summary>How the request authenticates to the receiver besides the signature; <see langword="null"/> for none.</summary>
    public WebhookAuthentication? Authentication { get; init; }

    /// <summary>The client certificate presented to endpoints that require mutual TLS; read APIs show what identifies it, not its key.</summary>
    public WebhookClientCertificate? ClientCertificate { get; init; }

    /// <summary>PEM certificates of the authorities the endpoint's certificate must chain to, instead of the system's roots; empty for the system's.</summary>
    public IReadOnlyList<string> TrustedRoots { get; init; } = [];

    /// <summary>The proxy requests leave through; <see langword="null"/> takes the host's <see cref="WebhookDestinationOptions.Proxy"/>.</summary>
    public WebhookProxy? Proxy { get; init; }

    /// <summary>Static headers added to every request (for example a routing key the receiver wants).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = EmptyHeaders;

    /// <summary>
    /// Attribute filters on top of event types: an event is delivered only if, for every key, its
    /// <see cref="WebhookEvent.Attributes"/> value is one of the listed values (for example <c>campaign</c> in 12, 15).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Filters { get; init; } = EmptyFilters;

    /// <summary>What the body carries: the envelope (default), only the data, or mapped fields.</summary>
    public WebhookPayloadMode PayloadMode { get; init; }

    /// <summary>For <see cref="WebhookPayloadMode.Mapped"/>: output field name to where its value comes from.</summary>
    public IReadOnlyDictionary<string, WebhookFieldSource>? FieldMap { get; init; }

    /// <summary>Collect events and send them together as one <c>jsonarray</c> request per window; <see langword="null"/> sends each at once.</summary>
    public WebhookBatching? Batching { get; init; }

    /// <summary>Its own rate limit, concurrency, circuit and ordering; <see langword="null"/> takes the host's <see cref="WebhookOptions.Endpoints"/>.</summary>
    public WebhookDeliveryControls? Controls { get; init; }

    /// <summary>When the subscription stops receiving events (auto-unsubscribe); <see langword="null"/> never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

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

    /// <summary>Whether the event attributes pass every filter.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> attributes)
    {
        foreach (var (key, allowed) in Filters)
        {
            if (!attributes.TryGetValue(key, out var value) || !allowed.Contains(value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the subscription receives events at <paramref name="now"/>: active and not expired.</summary>
    public bool IsLiveAt(DateTimeOffset now) => IsActive && (ExpiresAt is null || ExpiresAt > now);

    internal static readonly IReadOnlyDictionary<string, string> EmptyHeaders = new Dictionary<string, string>();
    internal static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> EmptyFilters = new Dictionary<string, IReadOnlyList<string>>();
}
