using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace WebhookSender.AspNetCore;

/// <summary>Subscriptions: create, list, get, replace, patch, delete.</summary>
internal static class SubscriptionEndpoints
{
    public static void Map(RouteGroupBuilder group, WebhookApiContext api)
    {
        // The query parameters are read (and refused with a problem) by QueryValues; declared here for the OpenAPI document.
        group.MapGet("/", (HttpContext context, IWebhookSubscriptions subscriptions, [FromQuery] string? eventType, [FromQuery] string? active, [FromQuery] string? limit, [FromQuery] string? cursor) =>
                ListAsync(api, context, subscriptions))
            .WithName("ListWebhookSubscriptions")
            .WithSummary("List subscriptions")
            .WithDescription("The workspace's subscriptions by id, a page at a time. Filters: eventType (those that receive it), active (true or false); paging: limit (1 to 1000), cursor (the previous page's nextCursor).")
            .Produces<PageResource<SubscriptionResource>>()
            .ProducesValidationProblem()
            .WithAccess(WebhookPortalPermissions.ReadLog, api.Options);

        group.MapPost("/", (HttpContext context, IWebhookSubscriptions subscriptions) => CreateAsync(api, context, subscriptions))
            .WithName("CreateWebhookSubscription")
            .WithSummary("Create a subscription")
            .WithDescription("Validates and stores the subscription, sends it a ping, and answers with it and its signing secret, which is shown this once.")
            .Accepts<SubscriptionInput>("application/json")
            .Produces<CreatedSubscriptionResource>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .WithAccess(WebhookPortalPermissions.ManageEndpoints, api.Options);

        group.MapGet("/{id}", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, found => Task.FromResult<IResult>(TypedResults.Ok(Resources.From(found, api.Time.GetUtcNow())))))
            .WithName("GetWebhookSubscription")
            .WithSummary("Get a subscription")
            .Produces<SubscriptionResource>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ReadLog, api.Options);

        group.MapPut("/{id}", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, current => ReplaceAsync(api, context, current, subscriptions)))
            .WithName("ReplaceWebhookSubscription")
            .WithSummary("Replace a subscription")
            .WithDescription("Replaces every setting; a field left out takes its default. Credentials read back as ******** keep their stored values when sent back so.")
            .Accepts<SubscriptionInput>("application/json")
            .Produces<SubscriptionResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ManageEndpoints, api.Options);

        group.MapPatch("/{id}", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, current => PatchAsync(api, context, current, subscriptions)))
            .WithName("UpdateWebhookSubscription")
            .WithSummary("Update some settings of a subscription")
            .WithDescription("A JSON merge patch (RFC 7386): the fields sent change, null clears one, the rest keep their values.")
            .Accepts<SubscriptionInput>("application/merge-patch+json", "application/json")
            .Produces<SubscriptionResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ManageEndpoints, api.Options);

        group.MapDelete("/{id}", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async current =>
                await subscriptions.DeleteAsync(current.Id, context.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : WebhookApiContext.SubscriptionNotFound(id)))
            .WithName("DeleteWebhookSubscription")
            .WithSummary("Delete a subscription")
            .WithDescription("Deletes the subscription; its pending deliveries are not sent. Answers 204 with no body.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ManageEndpoints, api.Options);
    }

    private static async Task<IResult> ListAsync(WebhookApiContext api, HttpContext context, IWebhookSubscriptions subscriptions)
    {
        if (!api.TryGetTenant(context, out var tenant, out var problem))
        {
            return problem!;
        }

        var query = new QueryValues(context.Request);
        var request = new SubscriptionQuery
        {
            TenantId = tenant,
            EventType = query.Text("eventType"),
            IsActive = query.Boolean("active"),
            Limit = query.Limit() ?? api.Options.DefaultPageSize,
            Cursor = query.OpaqueCursor(),
        };
        if (query.Problem is { } invalid)
        {
            return invalid;
        }

        var page = await subscriptions.ListAsync(request, context.RequestAborted).ConfigureAwait(false);
        var now = api.Time.GetUtcNow();
        return TypedResults.Ok(new PageResource<SubscriptionResource>([.. page.Items.Select(s => Resources.From(s, now))], QueryValues.ToOpaqueCursor(page.NextCursor)));
    }

    private static async Task<IResult> CreateAsync(WebhookApiContext api, HttpContext context, IWebhookSubscriptions subscriptions)
    {
        if (!api.TryGetTenant(context, out var tenant, out var problem))
        {
            return problem!;
        }

        var (input, invalid) = await RequestBody.ReadAsync<SubscriptionInput>(context.Request, api).ConfigureAwait(false);
        if (invalid is not null)
        {
            return invalid;
        }

        var created = await subscriptions.CreateAsync(Resources.ToRequest(input!, tenant), context.RequestAborted).ConfigureAwait(false);
        var resource = Resources.From(created.Subscription, api.Time.GetUtcNow());
        return TypedResults.Created($"{context.Request.PathBase}{context.Request.Path.Value!.TrimEnd('/')}/{Uri.EscapeDataString(resource.Id)}", new CreatedSubscriptionResource(resource, created.Secret));
    }

    private static async Task<IResult> ReplaceAsync(WebhookApiContext api, HttpContext context, WebhookSubscription current, IWebhookSubscriptions subscriptions)
    {
        var (input, invalid) = await RequestBody.ReadAsync<SubscriptionInput>(context.Request, api).ConfigureAwait(false);
        return invalid ?? await UpdateAsync(api, subscriptions, current, input!, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> PatchAsync(WebhookApiContext api, HttpContext context, WebhookSubscription current, IWebhookSubscriptions subscriptions)
    {
        var (patch, invalid) = await RequestBody.ReadObjectAsync(context.Request, api).ConfigureAwait(false);
        if (invalid is not null)
        {
            return invalid;
        }

        // RFC 7386 on the subscription as a caller would send it, then read like any request (unknown fields refused).
        var document = JsonSerializer.SerializeToNode(Resources.ToInput(Resources.From(current, api.Time.GetUtcNow())), api.ReadJson)!.AsObject();
        MergePatch.Apply(document, patch);
        var (input, wrong) = RequestBody.Parse<SubscriptionInput>(JsonSerializer.SerializeToUtf8Bytes(document, api.ReadJson), api.ReadJson);
        return wrong ?? await UpdateAsync(api, subscriptions, current, input!, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> UpdateAsync(WebhookApiContext api, IWebhookSubscriptions subscriptions, WebhookSubscription current, SubscriptionInput input, CancellationToken cancellationToken)
    {
        var updated = await subscriptions.UpdateAsync(current.Id, Resources.ToRequest(input, current.TenantId), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(Resources.From(updated, api.Time.GetUtcNow()));
    }
}
