using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace WebhookSender.AspNetCore;

/// <summary>
/// Guards the API a signed-link portal calls: no valid link answers 401, a link without the endpoint's permission 403,
/// and the link's tenant is the request's tenant, so no other tenant is reachable whatever the request asks for.
/// </summary>
internal sealed class PortalLinkFilter(WebhookPortalLinks links) : IEndpointFilter
{
    private static readonly object LinkKey = new();

    /// <summary>The link the request was let in with.</summary>
    public static WebhookPortalLink? LinkOf(HttpContext context) =>
        context.Items.TryGetValue(LinkKey, out var link) ? link as WebhookPortalLink : null;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!links.TryRead(BearerToken(http.Request), out var link, out var error))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return ValueTask.FromResult<object?>(ApiProblems.Failed(StatusCodes.Status401Unauthorized, "Unauthorized", error));
        }

        var needs = http.GetEndpoint()?.Metadata.OfType<WebhookPortalPermissions>().FirstOrDefault() ?? WebhookPortalPermissions.All;
        if ((link.Permissions & needs) != needs)
        {
            return ValueTask.FromResult<object?>(ApiProblems.Forbidden(
                $"This portal link may not do that: it needs the {needs} permission and grants {link.Permissions}. Ask the application for a link that grants it."));
        }

        http.Items[LinkKey] = link;
        return next(context);
    }

    private static string? BearerToken(HttpRequest request)
    {
        string? header = request.Headers[HeaderNames.Authorization];
        const string Scheme = "Bearer ";
        return header is not null && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }
}
