namespace WebhookSender.AspNetCore;

/// <summary>
/// A subscription as a caller sends it to create or replace one (every field left out takes its default), or to
/// update one with a JSON merge patch (a field left out keeps its value, <c>null</c> clears it).
/// </summary>
public sealed record SubscriptionInput
{
    /// <summary>The receiver's URL (https, or http where the host allows it). Required.</summary>
    public Uri? Url { get; init; }

    /// <summary>A short name for people.</summary>
    public string? Name { get; init; }

    /// <summary>What the subscription is for.</summary>
    public string? Description { get; init; }

    /// <summary>The event types to receive; empty, left out, or <c>["*"]</c> for every type.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>Attribute filters: an event is sent only if each named attribute has one of the listed values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Filters { get; init; }

    /// <summary>The body format: <c>json</c> (default), <c>jsonarray</c>, <c>xml</c> or <c>form</c>.</summary>
    public string? Format { get; init; }

    /// <summary>What the body holds: <c>envelope</c> (default), <c>data</c>, or <c>mapped</c> (with <see cref="FieldMap"/>).</summary>
    public string? PayloadMode { get; init; }

    /// <summary>The fields of a <c>mapped</c> payload and where each takes its value.</summary>
    public IReadOnlyDictionary<string, FieldSourceResource>? FieldMap { get; init; }

    /// <summary>The HTTP method: <c>POST</c> (default) or <c>PUT</c>.</summary>
    public string? Method { get; init; }

    /// <summary>Static headers sent with every request.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>How the receiver authenticates the requests, besides the signature.</summary>
    public AuthenticationResource? Authentication { get; init; }

    /// <summary>The client certificate for endpoints that require mutual TLS (https only).</summary>
    public ClientCertificateResource? ClientCertificate { get; init; }

    /// <summary>PEM certificates of the authorities the endpoint's certificate must chain to, instead of the system's roots (https only, at most 10).</summary>
    public IReadOnlyList<string>? TrustedRoots { get; init; }

    /// <summary>The proxy requests leave through instead of the host's; <c>{"url": null}</c> connects directly.</summary>
    public ProxyResource? Proxy { get; init; }

    /// <summary>Whether deliveries are sent. Default <see langword="true"/>.</summary>
    public bool? IsActive { get; init; }

    /// <summary>When the subscription stops receiving events.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The delays between attempts, in seconds, replacing the host's schedule.</summary>
    public IReadOnlyList<double>? RetryScheduleSeconds { get; init; }

    /// <summary>Send the events of a window together.</summary>
    public BatchingResource? Batching { get; init; }

    /// <summary>The signatures requests carry: <c>["v1"]</c> (the default), <c>["v1a"]</c> (Ed25519; a key pair is made) or both.</summary>
    public IReadOnlyList<string>? Signatures { get; init; }

    /// <summary>The subscription's own rate limit, concurrency, circuit and ordering.</summary>
    public ControlsResource? Controls { get; init; }

    /// <summary>
    /// The signing secret (<c>whsec_</c> and base64 of 24 to 64 bytes). On create, left out, one is generated; on update,
    /// a new secret replaces the old ones at once (use rotate-secret for an overlap).
    /// </summary>
    public string? Secret { get; init; }
}
