using Microsoft.AspNetCore.Http;

namespace WebhookSender.AspNetCore;

/// <summary>How <c>MapWebhooks</c> finds the caller's tenant, guards access and bounds requests.</summary>
public sealed class WebhookApiOptions
{
    /// <summary>
    /// The route parameter that holds the tenant (workspace) id. <see langword="null"/> (the default) takes the prefix's
    /// only parameter, for example <c>workspaceId</c> in <c>/api/workspaces/{workspaceId}/webhooks</c>.
    /// </summary>
    public string? TenantRouteParameter { get; set; }

    /// <summary>
    /// Finds the tenant from the request instead of a route value, for example from a claim. Returning
    /// <see langword="null"/> or an empty string answers 403: the caller has no tenant. Takes precedence over
    /// <see cref="TenantRouteParameter"/>.
    /// </summary>
    public Func<HttpContext, string?>? TenantResolver { get; set; }

    /// <summary>
    /// The host has no tenants: every subscription is visible to every caller the host's authorization lets in, and
    /// subscriptions are created without a tenant. Off by default, so that forgetting the tenant never exposes data.
    /// </summary>
    public bool SingleTenant { get; set; }

    /// <summary>The authorization policy every reading endpoint requires; <see langword="null"/> adds none (the group's apply).</summary>
    public string? ReadPolicy { get; set; }

    /// <summary>
    /// The authorization policy every changing endpoint requires (create, update, delete, enable, disable, rotate, ping,
    /// test, redeliver, recover, and reading the signing secret); <see langword="null"/> adds none.
    /// </summary>
    public string? WritePolicy { get; set; }

    /// <summary>The largest request body read, in bytes; a larger one answers 400 and nothing is stored. Default 64 KiB.</summary>
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The page size when a list request names none. Default 50; a request may ask for 1 to 1,000.</summary>
    public int DefaultPageSize { get; set; } = 50;
}
