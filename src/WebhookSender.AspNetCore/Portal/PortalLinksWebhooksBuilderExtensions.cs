using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WebhookSender.AspNetCore;

namespace WebhookSender;

/// <summary>Registers the issuer of signed portal links.</summary>
public static class PortalLinksWebhooksBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="WebhookPortalLinks"/>, which the host's backend asks for a link to the portal for one tenant,
    /// and ASP.NET Core Data Protection, which signs the links. Several instances must share one key ring
    /// (<c>services.AddDataProtection().PersistKeysTo…</c>) to read each other's links.
    /// </summary>
    public static IWebhooksBuilder AddPortalLinks(this IWebhooksBuilder builder, Action<WebhookPortalLinkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDataProtection();
        builder.Services.AddOptions<WebhookPortalLinkOptions>();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.TryAddSingleton<WebhookPortalLinks>();
        return builder;
    }
}
