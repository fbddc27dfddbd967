namespace WebhookSender;

/// <summary>
/// What a host asks for when it creates or replaces a subscription. Everything is validated before anything is stored.
/// </summary>
public sealed record WebhookSubscriptionRequest
{
    /// <summary>The event-type wildcard: subscribe to every type.</summary>
    public const string AllEventTypes = "*";

    /// <summary>
    /// The absolute http or https URL to send to; <see langword="null"/> makes a pull subscription, whose matching
    /// messages are kept for its reader to fetch with <see cref="IWebhookUpdates.ReadAsync"/>.
    /// </summary>
    public Uri? Url { get; init; }

    /// <summary>The owning tenant, if any. It cannot change on update.</summary>
    public string? TenantId { get; init; }

    /// <summary>A short display name (at most 100 characters).</summary>
    public string? Name { get; init; }

    /// <summary>A description (at most 1,000 characters).</summary>
    public string? Description { get; init; }

    /// <summary>The HTTP method, POST by default.</summary>
    public WebhookHttpMethod Method { get; init; } = WebhookHttpMethod.Post;

    /// <summary>The body format, <see cref="WebhookFormats.Json"/> by default.</summary>
    public string Format { get; init; } = WebhookFormats.Json;

    /// <summary>Catalogued event types, or <c>["*"]</c> (or empty) for every type.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>
    /// The signing secret (<c>whsec_</c> + base64 of 24 to 64 bytes). Leave it <see langword="null"/> on create to have one
    /// generated; on update, <see langword="null"/> keeps the current secrets and a value replaces them at once.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>
    /// Which signatures requests carry: <see cref="WebhookSignatures.V1"/> (HMAC, the default),
    /// <see cref="WebhookSignatures.V1a"/> (Ed25519: a key pair is made the first time, receivers get its public key), or both.
    /// </summary>
    public WebhookSignatures Signatures { get; init; } = WebhookSignatures.V1;

    /// <summary>Whether the subscription starts active (default <see langword="true"/>).</summary>
    public bool IsActive { get; init; } = true;

    /// <summary>Delays between retries for this subscription; <see langword="null"/> uses <see cref="WebhookOptions.RetrySchedule"/>.</summary>
    public IReadOnlyList<TimeSpan>? RetrySchedule { get; init; }

    /// <summary>Endpoint authentication besides the signature: <c>WebhookAuthentication.Basic(…)</c>, <c>Bearer(…)</c> or <c>Header(…)</c>.</summary>
    public WebhookAuthentication? Authentication { get; init; }

    /// <summary>The client certificate presented to endpoints that require mutual TLS (an https URL only); <see langword="null"/> for none.</summary>
    public WebhookClientCertificate? ClientCertificate { get; init; }

    /// <summary>
    /// PEM certificates of the certificate authorities the endpoint's certificate must chain to, instead of the system's
    /// trusted roots: for endpoints with a certificate from a private CA (an https URL only, at most 10).
    /// </summary>
    public IReadOnlyList<string>? TrustedRoots { get; init; }

    /// <summary>
    /// The proxy requests leave through; <see langword="null"/> takes the host's <see cref="WebhookDestinationOptions.Proxy"/>,
    /// <see cref="WebhookProxy.Direct"/> connects directly.
    /// </summary>
    public WebhookProxy? Proxy { get; init; }

    /// <summary>Static headers added to every request (at most 20; webhook-*, content-*, host, authorization and user-agent are reserved).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Attribute filters: for every key, the event's attribute must be one of the values (for example <c>campaign</c> in 12, 15).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Filters { get; init; }

    /// <summary>What the body carries: the envelope (default), only the data, or the fields of <see cref="FieldMap"/>.</summary>
    public WebhookPayloadMode PayloadMode { get; init; }

    /// <summary>Required for <see cref="WebhookPayloadMode.Mapped"/>: output field name to where its value comes from.</summary>
    public IReadOnlyDictionary<string, WebhookFieldSource>? FieldMap { get; init; }

    /// <summary>Send events together per window as <c>jsonarray</c> (requires <see cref="Format"/> = <c>jsonarray</c>).</summary>
    public WebhookBatching? Batching { get; init; }

    /// <summary>Its own rate limit, concurrency, circuit and ordering; <see langword="null"/> takes the host's <see cref="WebhookOptions.Endpoints"/>.</summary>
    public WebhookDeliveryControls? Controls { get; init; }

    /// <summary>When the subscription stops receiving events (must be in the future); <see langword="null"/> never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Shows the request without its secret or credentials.</summary>
    public override string ToString() =>
        $"WebhookSubscriptionRequest {{ Url = {Url}, TenantId = {TenantId}, Name = {Name}, Format = {Format}, EventTypes = [{string.Join(", ", EventTypes ?? [])}] }}";
}
