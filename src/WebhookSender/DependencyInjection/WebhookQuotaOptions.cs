namespace WebhookSender;

/// <summary>
/// Quotas: how many requests a tenant's endpoints get per <see cref="Window"/> (retries and redeliveries count; pings and
/// tests do not). Past the quota, deliveries are held, neither sent nor failed, until the next window, and the delivery
/// log says why; <see cref="IWebhookNotificationHandler.OnQuotaExhaustedAsync"/> fires once per window. Raising a
/// quota lets the held deliveries go within about ten seconds (the process that held them checks), or at once through
/// <see cref="IWebhookDeliveries.ReleaseQuotaHoldsAsync"/>. Off by default. On the EF Core store every instance counts
/// against the same quota. A subscription may have a quota of its own besides (<see cref="WebhookDeliveryControls.Quota"/>).
/// </summary>
public sealed class WebhookQuotaOptions
{
    /// <summary>Every tenant's quota per window; <see langword="null"/> (the default) has none. Deliveries without a tenant have none.</summary>
    public long? PerTenant { get; set; }

    /// <summary>
    /// The quota of one tenant (its plan), overriding <see cref="PerTenant"/>; <see langword="null"/> from it means none.
    /// Called for every request while quotas are on: keep it to a lookup of something cached.
    /// </summary>
    public Func<string, long?>? TenantQuota { get; set; }

    /// <summary>The window quotas count over, aligned to the Unix epoch (UTC midnight for a day), 1 minute to 31 days. Default 1 day.</summary>
    [TimeSpanRange("00:01:00", "31.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The quota of <paramref name="tenantId"/> in effect, or <see langword="null"/>.</summary>
    internal long? QuotaOf(string? tenantId) => tenantId is null ? null : TenantQuota is { } quota ? quota(tenantId) : PerTenant;
}
