using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WebhookSender.AspNetCore;

/// <summary>What every endpoint of one <c>MapWebhooks</c> shares: the options, the tenancy, the JSON settings.</summary>
internal sealed class WebhookApiContext(WebhookApiOptions options, TenantResolution tenancy, IServiceProvider services)
{
    private JsonSerializerOptions? _readJson;

    public WebhookApiOptions Options { get; } = options;

    public TenantResolution Tenancy { get; } = tenancy;

    public TimeProvider Time { get; } = services.GetService<TimeProvider>() ?? TimeProvider.System;

    /// <summary>How examples are written: as the payloads are.</summary>
    public JsonSerializerOptions PayloadJson => services.GetRequiredService<IOptions<WebhookOptions>>().Value.JsonSerializerOptions;

    /// <summary>The host's JSON settings for reading requests, strict about fields it does not know.</summary>
    public JsonSerializerOptions ReadJson => _readJson ??= new JsonSerializerOptions(
        services.GetService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()?.Value.SerializerOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web))
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The caller's tenant, or the 403 to answer.</summary>
    public bool TryGetTenant(HttpContext context, out string? tenantId, out IResult? problem)
    {
        problem = null;
        if (Tenancy.TryResolve(context, out tenantId))
        {
            return true;
        }

        problem = ApiProblems.Forbidden("The request has no tenant (workspace): the host could not tell whose webhooks these are.");
        return false;
    }

    /// <summary>The subscription <paramref name="id"/> if it is the caller's tenant's; another tenant's is as unknown as a missing one.</summary>
    public async Task<WebhookSubscription?> FindAsync(IWebhookSubscriptions subscriptions, string? tenantId, string id, CancellationToken cancellationToken)
    {
        var subscription = await subscriptions.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return subscription is not null && Tenancy.Owns(tenantId, subscription.TenantId) ? subscription : null;
    }

    /// <summary>Runs <paramref name="action"/> on the caller's subscription <paramref name="id"/>; another tenant's answers 404.</summary>
    public async Task<IResult> WithSubscriptionAsync(HttpContext context, string id, IWebhookSubscriptions subscriptions, Func<WebhookSubscription, Task<IResult>> action)
    {
        if (!TryGetTenant(context, out var tenant, out var problem))
        {
            return problem!;
        }

        return await FindAsync(subscriptions, tenant, id, context.RequestAborted).ConfigureAwait(false) is { } subscription
            ? await action(subscription).ConfigureAwait(false)
            : SubscriptionNotFound(id);
    }

    public static IResult SubscriptionNotFound(string id) =>
        ApiProblems.NotFound($"There is no subscription '{id}' in this workspace. List the subscriptions to find its id.");
}
