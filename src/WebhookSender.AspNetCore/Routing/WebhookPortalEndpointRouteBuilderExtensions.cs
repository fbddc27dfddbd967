using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the customers' webhooks portal.</summary>
public static class WebhookPortalEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the portal page at <paramref name="prefix"/>: the customer's webhooks, their create and edit screens,
    /// tests and the delivery log, on top of the management API. By default the page calls the API
    /// <c>MapWebhooks</c> mapped, with the host's own sign-in; with <see cref="WebhookPortalOptions.SignedLinks"/> it is
    /// opened with a link from <see cref="WebhookPortalLinks"/> (in an iframe on another origin, say) and calls an API of
    /// its own at <c>{prefix}/api</c> that only such links open.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="prefix">Where the page is, for example <c>/workspaces/{workspaceId}/webhooks/portal</c>.</param>
    /// <param name="configure">Where the API is, signed links, branding; see <see cref="WebhookPortalOptions"/>.</param>
    /// <returns>The route group of the page (and of its API with signed links), for the host's authorization or rate limiting.</returns>
    /// <exception cref="ArgumentException">An option is not valid (a colour, the logo, an origin).</exception>
    /// <exception cref="InvalidOperationException">Signed links are on and cannot work: a tenant in the prefix, or no <c>AddPortalLinks()</c>.</exception>
    public static RouteGroupBuilder MapWebhookPortal(this IEndpointRouteBuilder endpoints, string prefix, Action<WebhookPortalOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var options = new WebhookPortalOptions();
        configure?.Invoke(options);
        var page = new PortalPage(options);

        var group = endpoints.MapGroup(prefix);
        group.MapGet("/", (HttpContext context) => page.Render(context)).ExcludeFromDescription();
        group.MapGet("/assets/{name}", (HttpContext context, string name) => PortalAssets.Serve(context, name)).ExcludeFromDescription();
        if (options.SignedLinks)
        {
            MapLinkApi(endpoints, group, prefix);
        }

        return group;
    }

    private static void MapLinkApi(IEndpointRouteBuilder endpoints, RouteGroupBuilder group, string prefix)
    {
        if (RoutePatternFactory.Parse(prefix).Parameters.Count > 0)
        {
            throw new InvalidOperationException(
                $"MapWebhookPortal(\"{prefix}\") with SignedLinks takes the tenant from the link, so its prefix must have no route parameters. " +
                "Map it at a fixed path such as \"/webhooks/portal\".");
        }

        var links = endpoints.ServiceProvider.GetService<WebhookPortalLinks>() ?? throw new InvalidOperationException(
            "MapWebhookPortal with SignedLinks needs the link issuer: call services.AddWebhooks().AddPortalLinks() (and share the Data Protection key ring between instances).");

        // The same endpoints as the host's API; each request's link is its tenant and its permissions.
        var api = WebhookEndpointRouteBuilderExtensions.MapApi(group, "/api", new WebhookApiOptions { TenantResolver = context => PortalLinkFilter.LinkOf(context)?.TenantId });
        api.AddEndpointFilter(new PortalLinkFilter(links));

        // No names (the host's API has them, and names must be unique) and no OpenAPI description: the page's transport only.
        api.ExcludeFromDescription();
        ((IEndpointConventionBuilder)api).Finally(endpoint =>
        {
            for (int i = endpoint.Metadata.Count - 1; i >= 0; i--)
            {
                if (endpoint.Metadata[i] is IEndpointNameMetadata or RouteNameMetadata)
                {
                    endpoint.Metadata.RemoveAt(i);
                }
            }
        });

        api.MapGet("/link", (HttpContext context) =>
            {
                var link = PortalLinkFilter.LinkOf(context)!;
                var granted = Enum.GetValues<WebhookPortalPermissions>()
                    .Where(p => p is not (WebhookPortalPermissions.None or WebhookPortalPermissions.All) && link.Permissions.HasFlag(p))
                    .Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.ToString())).ToList();
                return TypedResults.Ok(new PortalLinkResource(granted, link.ExpiresAt));
            })
            .WithAccess(WebhookPortalPermissions.ReadLog, new WebhookApiOptions());
    }
}
