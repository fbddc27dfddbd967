using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace WebhookSender.AspNetCore;

/// <summary>A subscription's delivery log: deliveries, attempts with their requests and responses, redelivery, recovery.</summary>
internal static class DeliveryLogEndpoints
{
    private static readonly string[] DeliveryStatuses = ["queued", "dispatched", "succeeded", "failed", "unread"];
    private static readonly string[] AttemptStatuses = ["succeeded", "failed"];

    public static void Map(RouteGroupBuilder group, WebhookApiContext api)
    {
        // The query parameters are read (and refused with a problem) by QueryValues; declared here for the OpenAPI document.
        group.MapGet("/{id}/deliveries", (
                HttpContext context, string id, IWebhookSubscriptions subscriptions, IWebhookDeliveries log,
                [FromQuery] string? status, [FromQuery] string? since, [FromQuery] string? until, [FromQuery] string? messageId, [FromQuery] string? limit, [FromQuery] string? cursor) =>
            api.WithSubscriptionAsync(context, id, subscriptions, s => ListDeliveriesAsync(api, context, s, log)))
            .WithName("ListWebhookDeliveries")
            .WithSummary("List a subscription's deliveries")
            .WithDescription("Newest first. Filters: status (queued, dispatched, succeeded, failed, unread), since and until (ISO 8601, by creation time), messageId; paging: limit, cursor.")
            .Produces<PageResource<DeliveryResource>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ReadLog, api.Options);

        group.MapGet("/{id}/attempts", (
                HttpContext context, string id, IWebhookSubscriptions subscriptions, IWebhookDeliveries log,
                [FromQuery] string? status, [FromQuery] string? since, [FromQuery] string? until, [FromQuery] string? messageId, [FromQuery] string? deliveryId, [FromQuery] string? limit, [FromQuery] string? cursor) =>
            api.WithSubscriptionAsync(context, id, subscriptions, s => ListAttemptsAsync(api, context, s, log)))
            .WithName("ListWebhookAttempts")
            .WithSummary("List a subscription's attempts")
            .WithDescription("Every HTTP exchange, newest first, without bodies. Filters: status (succeeded, failed), since and until (ISO 8601, by start time), messageId, deliveryId; paging: limit, cursor.")
            .Produces<PageResource<AttemptSummaryResource>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ReadLog, api.Options);

        group.MapGet("/{id}/attempts/{attemptId}", (HttpContext context, string id, string attemptId, IWebhookSubscriptions subscriptions, IWebhookDeliveries log) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s =>
                Guid.TryParseExact(attemptId, "N", out var guid)
                && await log.GetAttemptAsync(guid, context.RequestAborted).ConfigureAwait(false) is { } attempt
                && attempt.SubscriptionId == s.Id
                    ? TypedResults.Ok(Resources.Detail(attempt))
                    : ApiProblems.NotFound($"Subscription '{s.Id}' has no attempt '{attemptId}'. List its attempts to find the id.")))
            .WithName("GetWebhookAttempt")
            .WithSummary("Get one attempt")
            .WithDescription("The request (method, URL, headers, body) and the response (status code, headers, body) of one exchange; credentials are redacted.")
            .Produces<AttemptResource>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ReadLog, api.Options);

        group.MapPost("/{id}/messages/{messageId}/redeliver", (HttpContext context, string id, string messageId, IWebhookSubscriptions subscriptions, IWebhookDeliveries log) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s =>
            {
                // The message must have been for this subscription: another tenant's message ids are not to be probed.
                var sent = await log.ListAsync(new DeliveryQuery { SubscriptionId = s.Id, MessageId = messageId, Limit = 1 }, context.RequestAborted).ConfigureAwait(false);
                if (sent.Items.Count == 0)
                {
                    return ApiProblems.NotFound($"Subscription '{s.Id}' was never sent message '{messageId}'. List its deliveries to find the message id.");
                }

                var delivery = await log.RedeliverAsync(messageId, s.Id, context.RequestAborted).ConfigureAwait(false);
                return TypedResults.Accepted((string?)null, Resources.From(delivery));
            }))
            .WithName("RedeliverWebhookMessage")
            .WithSummary("Send a message again")
            .WithDescription("Queues a new delivery of the message to the subscription, with the same webhook-id, so the receiver can tell it is the same event.")
            .Produces<DeliveryResource>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.Redeliver, api.Options);

        group.MapPost("/{id}/recover", (HttpContext context, string id, IWebhookSubscriptions subscriptions, IWebhookDeliveries log) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s =>
            {
                var (input, invalid) = await RequestBody.ReadAsync<RecoverInput>(context.Request, api).ConfigureAwait(false);
                if (invalid is not null)
                {
                    return invalid;
                }

                if (input!.Since is not { } since)
                {
                    return ApiProblems.Invalid("since", "Say since when failed deliveries are sent again, as an ISO 8601 time.");
                }

                return TypedResults.Accepted((string?)null, new RecoverResource(await log.RecoverAsync(s.Id, since, context.RequestAborted).ConfigureAwait(false)));
            }))
            .WithName("RecoverWebhookDeliveries")
            .WithSummary("Send failed deliveries again")
            .WithDescription("Queues a new delivery of every message whose delivery to the subscription failed for good since the given time.")
            .Accepts<RecoverInput>("application/json")
            .Produces<RecoverResource>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.Redeliver, api.Options);
    }

    private static async Task<IResult> ListDeliveriesAsync(WebhookApiContext api, HttpContext context, WebhookSubscription subscription, IWebhookDeliveries log)
    {
        var query = new QueryValues(context.Request);
        var request = new DeliveryQuery
        {
            SubscriptionId = subscription.Id,
            TenantId = subscription.TenantId,
            Status = query.OneOf("status", DeliveryStatuses) is { } status ? Enum.Parse<DeliveryStatus>(status, ignoreCase: true) : null,
            Since = query.Time("since"),
            Until = query.Time("until"),
            MessageId = query.Text("messageId"),
            Limit = query.Limit() ?? api.Options.DefaultPageSize,
            Cursor = query.Text("cursor"),
        };
        if (query.Problem is { } invalid)
        {
            return invalid;
        }

        var page = await log.ListAsync(request, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new PageResource<DeliveryResource>([.. page.Items.Select(Resources.From)], page.NextCursor));
    }

    private static async Task<IResult> ListAttemptsAsync(WebhookApiContext api, HttpContext context, WebhookSubscription subscription, IWebhookDeliveries log)
    {
        var query = new QueryValues(context.Request);
        var request = new AttemptQuery
        {
            SubscriptionId = subscription.Id,
            TenantId = subscription.TenantId,
            Succeeded = query.OneOf("status", AttemptStatuses) is { } status ? status == "succeeded" : null,
            Since = query.Time("since"),
            Until = query.Time("until"),
            MessageId = query.Text("messageId"),
            DeliveryId = query.Text("deliveryId"),
            Limit = query.Limit() ?? api.Options.DefaultPageSize,
            Cursor = query.Text("cursor"),
        };
        if (query.Problem is { } invalid)
        {
            return invalid;
        }

        var page = await log.ListAttemptsAsync(request, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new PageResource<AttemptSummaryResource>([.. page.Items.Select(Resources.Summary)], page.NextCursor));
    }
}
