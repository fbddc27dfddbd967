namespace WebhookSender.AspNetCore;

/// <summary>How long the portal links <see cref="WebhookPortalLinks"/> issues live.</summary>
public sealed class WebhookPortalLinkOptions
{
    /// <summary>The lifetime of a link issued without one. Default 15 minutes: long enough to open it, short enough to leak little.</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest lifetime a link may be issued with. Default 12 hours.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(12);
}
