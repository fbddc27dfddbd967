using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace WebhookSender.AspNetCore;

/// <summary>Pull subscriptions: reading their updates with a cursor, and how many wait.</summary>
internal static class UpdateEndpoints
{
    public static void Map(RouteGroupBuilder group, WebhookApiContext api)
    {
        group.MapGet("/{id}/updates", (
                HttpContext context, string id, IWebhookSubscriptions subscriptions, IWebhookUpdates updates,
                [FromQuery] string? cursor, [FromQuery] string? limit, [FromQuery] string? wait) =>
            api.WithSubscriptionAsync(context, id, subscriptions, s => ReadAsync(context, s, updates)))
            .WithName("ReadWebhookUpdates")
            .WithSummary("Read a pull subscription's updates")
            .WithDescription(
                "For subscriptions without a URL. Returns the next messages in publish order (limit, 1 to 1000, default 100) after " +
                "cursor (none: the oldest unread) and the cursor for the next read. A read acknowledges the messages its cursor " +
                "passed; reading with the same cursor again returns the same messages. wait (seconds, up to 60) holds an empty " +
                "answer until a message comes.")
            .Produces<UpdatePageResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.PullUpdates, api.Options);

        group.MapGet("/{id}/updates/backlog", (HttpContext context, string id, IWebhookSubscriptions subscriptions, IWebhookUpdates updates) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s =>
            {
                var backlog = await updates.GetBacklogAsync(s.Id, context.RequestAborted).ConfigureAwait(false);
                return TypedResults.Ok(new FeedBacklogResource(backlog.Unread, backlog.OldestAt));
            }))
            .WithName("GetWebhookUpdateBacklog")
            .WithSummary("Count a pull subscription's unread updates")
            .WithDescription("How many messages wait for the reader, and since when.")
            .Produces<FeedBacklogResource>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ReadLog, api.Options);
    }

    private static async Task<IResult> ReadAsync(HttpContext context, WebhookSubscription subscription, IWebhookUpdates updates)
    {
        var query = new QueryValues(context.Request);
        int limit = query.Limit() ?? 100;
        var wait = query.Seconds("wait", 60) ?? TimeSpan.Zero;
        if (query.Problem is { } invalid)
        {
            return invalid;
        }

        var page = await updates.ReadAsync(subscription.Id, query.Text("cursor"), limit, wait, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new UpdatePageResource(
            [.. page.Items.Select(u => new UpdateResource(u.Id, u.EventType, u.Timestamp, u.ContentType, u.Text))], page.Cursor, page.HasMore));
    }
}
