using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>How webhooks are delivered. Validated at start-up: bad values stop the host with a message saying what to fix.</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Delays between a failed attempt and the next one; the first attempt is made at once, so a delivery gets
    /// <c>1 + RetrySchedule.Count</c> attempts in all. Default: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
    /// Subscriptions can override it.
    /// </summary>
    public IReadOnlyList<TimeSpan> RetrySchedule { get; set; } = DefaultRetrySchedule;

    /// <summary>Random spread applied to each retry delay, as a fraction: 0.2 means ±20 %. Spreads retries of a recovering endpoint.</summary>
    [Range(0.0, 0.5)]
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>The longest <c>Retry-After</c> (429, 503) honoured; longer requests are cut to this. Default 1 hour.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one attempt may take, from connecting to reading the capped response. Default 15 s.</summary>
    [TimeSpanRange("00:00:00.100", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How many attempts to proven endpoints (their last attempt succeeded) the dispatcher runs at once; attempts to
    /// endpoints on probation run in a pool of their own (<see cref="WebhookEndpointOptions.MaxProbationConcurrency"/>).
    /// Default 32.
    /// </summary>
    [Range(1, 4096)]
    public int MaxConcurrency { get; set; } = 32;

    /// <summary>
    /// How long a dispatcher holds a delivery before another may take it. Must be at least twice <see cref="AttemptTimeout"/>.
    /// Default 2 minutes.
    /// </summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Deliveries this process publishes go straight to its own dispatcher, stored already leased to it, instead of being
    /// leased back from the store: for a durable store one write and one round trip fewer per delivery, and lower latency.
    /// Only while the dispatcher runs, for deliveries due at once (not batched, not published in the host's own
    /// transaction), and no more than twice <see cref="MaxConcurrency"/> waiting; the rest goes through the store, where any
    /// instance takes it. Set <see langword="false"/> to have every delivery handed out through the store. Default true.
    /// </summary>
    public bool LocalHandoff { get; set; } = true;

    /// <summary>
    /// How long subscriptions read from the store are reused: by the dispatcher for the next deliveries to the same
    /// subscription, and by the publisher for the next events of the same type and tenant. Changes made through this
    /// process apply at once; with several instances on one database, another instance's change (a new subscription, a
    /// new URL, a rotated secret, a disabled subscription) applies here within this time. <see cref="TimeSpan.Zero"/>
    /// reads every time. Default 1 second.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:05:00")]
    public TimeSpan SubscriptionCacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How much of a response body is read and kept; the rest is never buffered. Default 64 KiB.</summary>
    [Range(0, 16 * 1024 * 1024)]
    public int MaxResponseBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How much of each request body the attempt log keeps. Default 64 KiB.</summary>
    [Range(0, 16 * 1024 * 1024)]
    public int MaxLoggedRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Disable a subscription whose attempts have failed without a success for this long (and notify the host).
    /// <see langword="null"/> never disables for failures. Default 5 days.
    /// </summary>
    public TimeSpan? DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Send a <c>webhook.ping</c> to every new subscription. Default <see langword="true"/>.</summary>
    public bool PingOnCreate { get; set; } = true;

    /// <summary>
    /// The most subscriptions one tenant (or the tenant-less host) may have; creating more fails with a clear error.
    /// <see langword="null"/> (default) for no limit.
    /// </summary>
    [Range(1, 10_000_000)]
    public int? MaxSubscriptionsPerTenant { get; set; }

    /// <summary>How long a rotated-out secret keeps signing by default. Default 24 hours.</summary>
    [TimeSpanRange("00:00:00", "30.00:00:00")]
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The <c>user-agent</c> header sent with every request. Default: <c>WebhookSender/</c> and the package version, for example <c>WebhookSender/0.1.0</c>.</summary>
    [Required]
    public string UserAgent { get; set; } = "WebhookSender/" + typeof(WebhookOptions).Assembly.GetName().Version!.ToString(3);

    /// <summary>
    /// Send receivers the W3C <c>traceparent</c> header of the delivery's HTTP request, so that a receiver which traces
    /// too continues the delivery's trace. Only that header: never <c>tracestate</c> or baggage. Sent only when the
    /// delivery is traced. Default <see langword="false"/>: receivers are usually outside the host's organisation, and
    /// trace ids are the host's own (turn it on for receivers you run yourself).
    /// </summary>
    public bool PropagateTraceContext { get; set; }

    /// <summary>
    /// Header names (case-insensitive) whose values are credentials, on top of <c>Authorization</c>,
    /// <c>Proxy-Authorization</c>, <c>Cookie</c> and <c>Set-Cookie</c>. Their values never show in the attempt log or
    /// logs, a subscription's static headers of these names read back as <c>********</c> from the read APIs and in
    /// notifications, and a receiver's response that echoes one of their values has it replaced by <c>[redacted]</c>.
    /// </summary>
    public ISet<string> RedactedHeaders { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How event data and context are turned into JSON. Default: the web defaults (camelCase property names), with
    /// reflection-based metadata where the app allows reflection. Under native AOT or trimming, add a
    /// <c>JsonSerializerContext</c> that lists the data types: <c>JsonSerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default)</c>.
    /// </summary>
    [Required]
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = DefaultJsonOptions.Create();

    /// <summary>Which destinations requests may reach (the SSRF guard).</summary>
    public WebhookDestinationOptions Destinations { get; } = new();

    /// <summary>How the dispatcher is shared between endpoints, and when an endpoint's circuit opens.</summary>
    [ValidateObjectMembers]
    public WebhookEndpointOptions Endpoints { get; } = new();

    /// <summary>Requests per tenant per window; off by default.</summary>
    [ValidateObjectMembers]
    public WebhookQuotaOptions Quotas { get; } = new();

    internal static readonly IReadOnlyList<TimeSpan> DefaultRetrySchedule =
    [
        TimeSpan.Zero,
        TimeSpan.FromSeconds(5),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2),
        TimeSpan.FromHours(5),
        TimeSpan.FromHours(10),
        TimeSpan.FromHours(14),
        TimeSpan.FromHours(20),
        TimeSpan.FromHours(24),
    ];
}
