namespace WebhookSender.AspNetCore;

/// <summary>A subscription as the API shows it: its settings, credentials redacted, and its health.</summary>
public sealed record SubscriptionResource
{
    /// <summary>The id, <c>sub_</c> and 32 hex digits.</summary>
    public required string Id { get; init; }

    /// <summary>The receiver's URL; <see langword="null"/> for a pull subscription, read at <c>GET …/{id}/updates</c>.</summary>
    public required Uri? Url { get; init; }

    /// <summary>A short name for people.</summary>
    public string? Name { get; init; }

    /// <summary>What the subscription is for.</summary>
    public string? Description { get; init; }

    /// <summary>The event types it receives; <c>["*"]</c> or empty for every type.</summary>
    public required IReadOnlyList<string> EventTypes { get; init; }

    /// <summary>Attribute filters.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Filters { get; init; }

    /// <summary><c>json</c>, <c>jsonarray</c>, <c>xml</c> or <c>form</c>.</summary>
    public required string Format { get; init; }

    /// <summary><c>envelope</c>, <c>data</c> or <c>mapped</c>.</summary>
    public required string PayloadMode { get; init; }

    /// <summary>The fields of a <c>mapped</c> payload.</summary>
    public IReadOnlyDictionary<string, FieldSourceResource>? FieldMap { get; init; }

    /// <summary><c>POST</c> or <c>PUT</c>.</summary>
    public required string Method { get; init; }

    /// <summary>Static headers; values of credential headers read <c>********</c>.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The receiver's authentication; its secret reads <c>********</c>.</summary>
    public AuthenticationResource? Authentication { get; init; }

    /// <summary>The client certificate for endpoints that require mutual TLS: its subject, thumbprint and expiry; never its key.</summary>
    public ClientCertificateResource? ClientCertificate { get; init; }

    /// <summary>PEM certificates of the authorities the endpoint's certificate must chain to; empty for the system's roots.</summary>
    public IReadOnlyList<string> TrustedRoots { get; init; } = [];

    /// <summary>The proxy requests leave through instead of the host's; <see langword="null"/> for the host's.</summary>
    public ProxyResource? Proxy { get; init; }

    /// <summary>Whether deliveries are sent.</summary>
    public required bool IsActive { get; init; }

    /// <summary>When the subscription stops receiving events.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Its own retry delays in seconds; <see langword="null"/> for the host's schedule.</summary>
    public IReadOnlyList<double>? RetryScheduleSeconds { get; init; }

    /// <summary>Batching, if on.</summary>
    public BatchingResource? Batching { get; init; }

    /// <summary>The signatures requests carry: <c>v1</c> (HMAC with the secret), <c>v1a</c> (Ed25519), or both.</summary>
    public IReadOnlyList<string> Signatures { get; init; } = ["v1"];

    /// <summary>For <c>v1a</c>: the public keys that verify its signatures, the current one first.</summary>
    public IReadOnlyList<PublicKeyResource> PublicKeys { get; init; } = [];

    /// <summary>The subscription's own rate limit, concurrency, circuit and ordering, if any.</summary>
    public ControlsResource? Controls { get; init; }

    /// <summary>How many signing secrets sign now (more than one during a rotation's overlap).</summary>
    public required int LiveSecrets { get; init; }

    /// <summary>Failed attempts in a row.</summary>
    public required int ConsecutiveFailures { get; init; }

    /// <summary>Since when it has failed without a success.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>When it was disabled.</summary>
    public DateTimeOffset? DisabledAt { get; init; }

    /// <summary>Why it was disabled.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}
