using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace WebhookSender.AspNetCore;

/// <summary>The event catalog: what a subscription can choose, with examples and schemas.</summary>
internal static class EventTypeEndpoints
{
    // The core's built-in type for pings: not one a customer subscribes to, so the API's catalog leaves it out.
    private const string PingType = "webhook.ping";

    public static void Map(RouteGroupBuilder group, WebhookApiContext api)
    {
        group.MapGet("/event-types", (HttpContext context, IWebhookEventTypes catalog) =>
            !api.TryGetTenant(context, out _, out var problem)
                ? problem!
                : TypedResults.Ok(new PageResource<EventTypeResource>([.. catalog.List().Where(t => t.Name != PingType).Select(t => Resources.From(t, api.PayloadJson))], null)))
            .WithName("ListWebhookEventTypes")
            .WithSummary("List the event types")
            .WithDescription("Every event type a subscription can choose, with its description, an example of its data and the JSON Schema of its data.")
            .Produces<PageResource<EventTypeResource>>()
            .WithAccess(WebhookPortalPermissions.ReadLog, api.Options);

        group.MapGet("/event-types/{name}", (HttpContext context, string name, IWebhookEventTypes catalog) =>
            !api.TryGetTenant(context, out _, out var problem) ? problem!
            : catalog.Find(name) is { } type && type.Name != PingType ? TypedResults.Ok(Resources.From(type, api.PayloadJson))
            : ApiProblems.NotFound($"There is no event type '{name}'. List the event types to see the names."))
            .WithName("GetWebhookEventType")
            .WithSummary("Get an event type")
            .Produces<EventTypeResource>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ReadLog, api.Options);
    }
}
