using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Patterns;

namespace WebhookSender.AspNetCore;

/// <summary>Finds the tenant of a request, the way the host chose when it mapped the API.</summary>
internal sealed class TenantResolution
{
    private readonly Func<HttpContext, string?>? _resolver;
    private readonly string? _routeParameter;

    private TenantResolution(Func<HttpContext, string?>? resolver, string? routeParameter, bool singleTenant)
    {
        _resolver = resolver;
        _routeParameter = routeParameter;
        IsSingleTenant = singleTenant;
    }

    /// <summary>The route parameter that holds the tenant, when it comes from the route.</summary>
    public string? RouteParameter => _routeParameter;

    /// <summary>Whether the host has no tenants: every caller sees every subscription.</summary>
    public bool IsSingleTenant { get; }

    /// <summary>The resolution <paramref name="options"/> ask for; refuses, at start-up, an API mapped without a tenant.</summary>
    public static TenantResolution For(WebhookApiOptions options, RoutePattern prefix)
    {
        if (options.SingleTenant)
        {
            return new TenantResolution(null, null, singleTenant: true);
        }

        if (options.TenantResolver is { } resolver)
        {
            return new TenantResolution(resolver, null, singleTenant: false);
        }

        var parameters = prefix.Parameters.Select(p => p.Name).ToList();
        string? parameter = options.TenantRouteParameter ?? (parameters.Count == 1 ? parameters[0] : null);
        if (parameter is null || !parameters.Contains(parameter, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"MapWebhooks(\"{prefix.RawText}\") cannot tell the caller's tenant: " +
                (parameter is null ? $"the prefix has {parameters.Count} route parameters, not one. " : $"the prefix has no route parameter '{parameter}'. ") +
                "Put the tenant in the prefix (\"/api/workspaces/{workspaceId}/webhooks\"), name it with options.TenantRouteParameter, " +
                "resolve it with options.TenantResolver (from a claim, say), or set options.SingleTenant = true for a host without tenants.");
        }

        return new TenantResolution(null, parameter, singleTenant: false);
    }

    /// <summary>The request's tenant; <see langword="false"/> when a multi-tenant host's request has none (403).</summary>
    public bool TryResolve(HttpContext context, out string? tenantId)
    {
        if (IsSingleTenant)
        {
            tenantId = null;
            return true;
        }

        tenantId = _resolver is not null ? _resolver(context) : context.Request.RouteValues[_routeParameter!] as string;
        return !string.IsNullOrEmpty(tenantId);
    }

    /// <summary>Whether a record of <paramref name="ownerTenantId"/> belongs to the caller's tenant.</summary>
    public bool Owns(string? tenantId, string? ownerTenantId) => IsSingleTenant || string.Equals(tenantId, ownerTenantId, StringComparison.Ordinal);
}
