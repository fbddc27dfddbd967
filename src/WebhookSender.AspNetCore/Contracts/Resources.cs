using System.Globalization;
using System.Text.Json;

namespace WebhookSender.AspNetCore;

/// <summary>Turns the core's model into the API's resources and the API's input into the core's requests.</summary>
internal static class Resources
{
    /// <summary>What the core shows for a credential it will not hand out; sent back, it keeps the stored value.</summary>
    public const string Redacted = "********";

    public static EventTypeResource From(WebhookEventType type, JsonSerializerOptions payloadJson) => new(
        type.Name,
        type.Description,
        type.Example is null ? null : JsonSerializer.SerializeToElement(type.Example, payloadJson),
        type.Schema);

    public static SubscriptionResource From(WebhookSubscription s, DateTimeOffset now) => new()
    {
        Id = s.Id,
        Url = s.Url,
        Name = s.Name,
        Description = s.Description,
        EventTypes = s.EventTypes,
        Filters = s.Filters,
        Format = s.Format,
        PayloadMode = Lower(s.PayloadMode),
        FieldMap = s.FieldMap?.ToDictionary(f => f.Key, f => new FieldSourceResource(f.Value.Path, f.Value.Constant), StringComparer.Ordinal),
        Method = s.Method == WebhookHttpMethod.Put ? "PUT" : "POST",
        Headers = s.Headers,
        Authentication = s.Authentication is { } auth
            ? new AuthenticationResource(Lower(auth.Scheme), auth.Username, auth.Secret is null ? null : Redacted, auth.HeaderName, auth.TokenUrl, auth.Scopes, auth.Audience)
            : null,
        ClientCertificate = s.ClientCertificate is { } cert
            ? new ClientCertificateResource(Redacted, cert.Password is null ? null : Redacted, cert.Subject, cert.Thumbprint, cert.ExpiresAt)
            : null,
        TrustedRoots = s.TrustedRoots,
        Proxy = s.Proxy is { } proxy ? new ProxyResource(proxy.Url, proxy.Username, proxy.Password is null ? null : Redacted) : null,
        IsActive = s.IsActive,
        ExpiresAt = s.ExpiresAt,
        RetryScheduleSeconds = s.RetrySchedule?.Select(d => d.TotalSeconds).ToList(),
        Batching = s.Batching is { } b ? new BatchingResource(b.Window.TotalSeconds, b.MaxSize) : null,
        Controls = s.Controls is { } c ? From(c) : null,
        Signatures = SignatureNames(s.Signatures),
        PublicKeys = [.. s.SigningKeys.Where(k => k.IsLiveAt(now)).Select(k => new PublicKeyResource(k.PublicKey, k.CreatedAt, k.ExpiresAt))],
        LiveSecrets = s.Secrets.Count(secret => secret.IsLiveAt(now)),
        ConsecutiveFailures = s.ConsecutiveFailures,
        FailingSince = s.FailingSince,
        DisabledAt = s.DisabledAt,
        DisabledReason = s.DisabledReason,
        CreatedAt = s.CreatedAt,
        UpdatedAt = s.UpdatedAt,
    };

    /// <summary>The input that recreates <paramref name="s"/> as it is (credentials redacted): what a merge patch applies to.</summary>
    public static SubscriptionInput ToInput(SubscriptionResource s) => new()
    {
        Url = s.Url,
        Name = s.Name,
        Description = s.Description,
        EventTypes = s.EventTypes,
        Filters = s.Filters,
        Format = s.Format,
        PayloadMode = s.PayloadMode,
        FieldMap = s.FieldMap,
        Method = s.Method,
        Headers = s.Headers,
        Authentication = s.Authentication,
        ClientCertificate = s.ClientCertificate,
        TrustedRoots = s.TrustedRoots,
        Proxy = s.Proxy,
        IsActive = s.IsActive,
        ExpiresAt = s.ExpiresAt,
        RetryScheduleSeconds = s.RetryScheduleSeconds,
        Batching = s.Batching,
        Controls = s.Controls,
        Signatures = s.Signatures,
    };

    public static TestReportResource From(WebhookTestReport report) => new(
        report.StartedAt,
        report.TestsRun,
        report.TestsSucceeded,
        report.TestsFailed,
        [.. report.Tests.Select(t => new TestResultResource(t.EventType, t.Succeeded, t.StatusCode, t.Duration.TotalMilliseconds, t.Error, t.AttemptId.ToString("N")))]);

    public static DeliveryResource From(WebhookDelivery d) => new(
        d.Id, d.MessageId, d.EventType, Lower(d.Status), Lower(d.Trigger), d.AttemptCount, d.CreatedAt, d.DueAt, d.LastAttemptAt, d.LastStatusCode, d.CompletedAt, d.HoldReason);

    public static AttemptSummaryResource Summary(DeliveryAttempt a) => new(
        a.Id.ToString("N"), a.DeliveryId, a.MessageId, a.EventType, a.AttemptNumber, Lower(a.Trigger), a.StartedAt,
        a.Duration.TotalMilliseconds, a.Succeeded ? "succeeded" : "failed", a.Response?.StatusCode, a.Error);

    public static AttemptResource Detail(DeliveryAttempt a) => new(Summary(a), a.Request, a.Response, a.Warnings);

    /// <summary>
    /// The core's request for <paramref name="input"/> in <paramref name="tenantId"/>; words the core cannot read (an
    /// unknown method, scheme or mode) are refused here, each under its field's name.
    /// </summary>
    public static WebhookSubscriptionRequest ToRequest(SubscriptionInput input, string? tenantId)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var request = new WebhookSubscriptionRequest
        {
            Url = input.Url,
            TenantId = tenantId,
            Name = input.Name,
            Description = input.Description,
            EventTypes = input.EventTypes,
            Filters = input.Filters,
            Format = input.Format ?? WebhookFormats.Json,
            PayloadMode = Parse(input.PayloadMode, WebhookPayloadMode.Envelope, "payloadMode", errors),
            FieldMap = input.FieldMap?.ToDictionary(f => f.Key, f => new WebhookFieldSource { Path = f.Value?.Path, Constant = f.Value?.Constant }, StringComparer.Ordinal),
            Method = ParseMethod(input.Method, errors),
            Headers = input.Headers,
            Authentication = input.Authentication is { } auth ? ToAuthentication(auth, errors) : null,
            ClientCertificate = input.ClientCertificate is { } cert ? new WebhookClientCertificate { Certificate = cert.Certificate, Password = cert.Password } : null,
            TrustedRoots = input.TrustedRoots,
            Proxy = input.Proxy is { } proxy ? new WebhookProxy { Url = proxy.Url, Username = proxy.Username, Password = proxy.Password } : null,
            IsActive = input.IsActive ?? true,
            ExpiresAt = input.ExpiresAt,
            RetrySchedule = input.RetryScheduleSeconds?.Select(seconds => Seconds(seconds, "retryScheduleSeconds", errors)).ToList(),
            Batching = input.Batching is { } b ? ToBatching(b, errors) : null,
            Controls = input.Controls is { } c ? ToControls(c, errors) : null,
            Signatures = ToSignatures(input.Signatures, errors),
            Secret = input.Secret,
        };
        return errors.Count == 0 ? request : throw new WebhookValidationException(errors);
    }

    /// <summary>The core's batching; a size of 0 (or none) keeps the core's default size.</summary>
    private static WebhookBatching ToBatching(BatchingResource batching, Dictionary<string, string[]> errors)
    {
        var window = Seconds(batching.WindowSeconds, "batching.windowSeconds", errors);
        return batching.MaxSize > 0 ? new WebhookBatching { Window = window, MaxSize = batching.MaxSize } : new WebhookBatching { Window = window };
    }

    private static List<string> SignatureNames(WebhookSignatures signatures) =>
        [.. new[] { (WebhookSignatures.V1, "v1"), (WebhookSignatures.V1a, "v1a") }.Where(s => signatures.HasFlag(s.Item1)).Select(s => s.Item2)];

    private static WebhookSignatures ToSignatures(IReadOnlyList<string>? names, Dictionary<string, string[]> errors)
    {
        if (names is null)
        {
            return WebhookSignatures.V1;
        }

        WebhookSignatures signatures = 0;
        foreach (var name in names)
        {
            signatures |= name switch
            {
                "v1" => WebhookSignatures.V1,
                "v1a" => WebhookSignatures.V1a,
                _ => Refuse(errors, "signatures", $"'{name}' is not a signature scheme; use \"v1\" (HMAC-SHA256), \"v1a\" (Ed25519) or both.", (WebhookSignatures)0),
            };
        }

        return signatures;
    }

    private static ControlsResource From(WebhookDeliveryControls c) => new()
    {
        RateLimit = c.RateLimit is { } r ? new RateLimitResource(r.Limit, r.Period.TotalSeconds, r.Burst) : null,
        MaxConcurrency = c.MaxConcurrency,
        FailureThreshold = c.FailureThreshold,
        BreakSeconds = c.BreakDuration?.TotalSeconds,
        Ordered = c.Ordered,
        Quota = c.Quota,
    };

    /// <summary>The core's controls; the core checks the ranges, this only the units.</summary>
    private static WebhookDeliveryControls ToControls(ControlsResource controls, Dictionary<string, string[]> errors) => new()
    {
        RateLimit = controls.RateLimit is { } r
            ? new WebhookRateLimit
            {
                Limit = r.Limit,
                Period = r.PeriodSeconds == 0 ? TimeSpan.FromSeconds(1) : Seconds(r.PeriodSeconds, "controls.rateLimit.periodSeconds", errors),
                Burst = r.Burst,
            }
            : null,
        MaxConcurrency = controls.MaxConcurrency,
        FailureThreshold = controls.FailureThreshold,
        BreakDuration = controls.BreakSeconds is { } seconds ? Seconds(seconds, "controls.breakSeconds", errors) : null,
        Ordered = controls.Ordered,
        Quota = controls.Quota,
    };

    private static WebhookAuthentication ToAuthentication(AuthenticationResource auth, Dictionary<string, string[]> errors) => new()
    {
        Scheme = Parse(auth.Scheme, WebhookAuthenticationScheme.None, "authentication.scheme", errors),
        Username = auth.Username,
        Secret = auth.Secret,
        HeaderName = auth.HeaderName,
        TokenUrl = auth.TokenUrl,
        Scopes = auth.Scopes,
        Audience = auth.Audience,
    };

    private static WebhookHttpMethod ParseMethod(string? method, Dictionary<string, string[]> errors) => method?.ToUpperInvariant() switch
    {
        null or "POST" => WebhookHttpMethod.Post,
        "PUT" => WebhookHttpMethod.Put,
        _ => Refuse(errors, "method", $"'{method}' is not a method webhooks are sent with; use POST or PUT.", WebhookHttpMethod.Post),
    };

    private static TEnum Parse<TEnum>(string? value, TEnum fallback, string field, Dictionary<string, string[]> errors)
        where TEnum : struct, Enum
    {
        if (value is null)
        {
            return fallback;
        }

        // Names only: a number (or a list of them) would parse as an enum value too; no name starts with a digit or sign.
        return value.Length > 0 && char.IsLetter(value[0]) && !value.Contains(',') && Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed)
            ? parsed
            : Refuse(errors, field, $"'{value}' is not one of: {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}.", fallback);
    }

    private static TimeSpan Seconds(double seconds, string field, Dictionary<string, string[]> errors) =>
        double.IsFinite(seconds) && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2
            ? TimeSpan.FromSeconds(seconds)
            : Refuse(errors, field, $"{seconds.ToString(CultureInfo.InvariantCulture)} is not a duration in seconds; give a number of seconds from 0 up.", TimeSpan.Zero);

    private static T Refuse<T>(Dictionary<string, string[]> errors, string field, string error, T fallback)
    {
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, error] : [error];
        return fallback;
    }

    private static string Lower<TEnum>(TEnum value)
        where TEnum : struct, Enum => value.ToString().ToLowerInvariant();
}
