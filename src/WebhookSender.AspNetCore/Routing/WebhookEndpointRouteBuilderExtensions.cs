using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.OpenApi;
using WebhookSender;
using WebhookSender.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the webhooks management API.</summary>
public static class WebhookEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the management API under <paramref name="prefix"/>: the event catalog, subscriptions (create, list, get,
    /// replace, patch, delete, enable, disable, secret and rotation, ping, test) and the delivery log (deliveries,
    /// attempts, redelivery, recovery), over <see cref="IWebhookSubscriptions"/>, <see cref="IWebhookEventTypes"/> and
    /// <see cref="IWebhookDeliveries"/>. Every record is scoped to the caller's tenant (by default the prefix's route
    /// parameter); another tenant's id answers 404, as an unknown one does. Errors are RFC 9457 problem details.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="prefix">The route prefix, for example <c>/api/workspaces/{workspaceId}/webhooks</c>.</param>
    /// <param name="configure">Tenancy, policies and limits; see <see cref="WebhookApiOptions"/>.</param>
    /// <returns>The route group of the API, for the host's <c>RequireAuthorization</c>, rate limiting or CORS.</returns>
    /// <exception cref="InvalidOperationException">The caller's tenant cannot be told from <paramref name="prefix"/> and the options.</exception>
    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder endpoints, string prefix, Action<WebhookApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var options = new WebhookApiOptions();
        configure?.Invoke(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRequestBodyBytes, 1, nameof(WebhookApiOptions.MaxRequestBodyBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DefaultPageSize, 1, nameof(WebhookApiOptions.DefaultPageSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.DefaultPageSize, 1000, nameof(WebhookApiOptions.DefaultPageSize));

        return MapApi(endpoints, prefix, options);
    }

    /// <summary>Maps the API with validated options; the signed-link portal maps its own copy through it too.</summary>
    internal static RouteGroupBuilder MapApi(IEndpointRouteBuilder endpoints, string prefix, WebhookApiOptions options)
    {
        var api = new WebhookApiContext(options, TenantResolution.For(options, RoutePatternFactory.Parse(prefix)), endpoints.ServiceProvider);
        var group = endpoints.MapGroup(prefix).WithTags("Webhooks");
        group.AddEndpointFilter(new ProblemFilter());
        if (api.Tenancy.RouteParameter is { } tenantParameter)
        {
            group.AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                if (!operation.Parameters.Any(p => p.Name == tenantParameter))
                {
                    operation.Parameters.Insert(0, new OpenApiParameter
                    {
                        Name = tenantParameter,
                        In = ParameterLocation.Path,
                        Required = true,
                        Description = "The tenant (workspace) whose webhooks these are.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }

                return Task.CompletedTask;
            });
        }

        group.ProducesProblem(StatusCodes.Status403Forbidden);

        EventTypeEndpoints.Map(group, api);
        SubscriptionEndpoints.Map(group, api);
        SubscriptionActionEndpoints.Map(group, api);
        DeliveryLogEndpoints.Map(group, api);
        UpdateEndpoints.Map(group, api);
        return group;
    }

    /// <summary>
    /// Marks an endpoint with the portal permission it needs and whether it reads or changes, with the policy the host
    /// gave for that kind.
    /// </summary>
    internal static RouteHandlerBuilder WithAccess(this RouteHandlerBuilder endpoint, WebhookPortalPermissions needs, WebhookApiOptions options)
    {
        var access = needs == WebhookPortalPermissions.ReadLog ? WebhookApiAccess.Read : WebhookApiAccess.Write;
        endpoint.WithMetadata(access, needs);
        string? policy = access == WebhookApiAccess.Read ? options.ReadPolicy : options.WritePolicy;
        return policy is null ? endpoint : endpoint.RequireAuthorization(policy);
    }
}
