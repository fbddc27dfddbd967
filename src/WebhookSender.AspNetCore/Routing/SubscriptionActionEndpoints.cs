using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace WebhookSender.AspNetCore;

/// <summary>What can be done to a subscription besides editing it: enable, disable, its secret, ping, test.</summary>
internal static class SubscriptionActionEndpoints
{
    public static void Map(RouteGroupBuilder group, WebhookApiContext api)
    {
        group.MapPost("/{id}/enable", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s => TypedResults.Ok(Resources.From(await subscriptions.EnableAsync(s.Id, context.RequestAborted).ConfigureAwait(false), api.Time.GetUtcNow()))))
            .WithName("EnableWebhookSubscription")
            .WithSummary("Enable a subscription")
            .WithDescription("Starts sending deliveries again and clears the failure streak.")
            .Produces<SubscriptionResource>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ManageEndpoints, api.Options);

        group.MapPost("/{id}/disable", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s =>
            {
                var (input, invalid) = await RequestBody.ReadAsync(context.Request, api, empty: new DisableInput()).ConfigureAwait(false);
                return invalid ?? TypedResults.Ok(Resources.From(await subscriptions.DisableAsync(s.Id, input!.Reason, context.RequestAborted).ConfigureAwait(false), api.Time.GetUtcNow()));
            }))
            .WithName("DisableWebhookSubscription")
            .WithSummary("Disable a subscription")
            .WithDescription("Stops sending deliveries until it is enabled again; the body may give a reason.")
            .Accepts<DisableInput>("application/json")
            .Produces<SubscriptionResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ManageEndpoints, api.Options);

        group.MapGet("/{id}/secret", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s => TypedResults.Ok(new SecretResource(await subscriptions.GetSecretAsync(s.Id, context.RequestAborted).ConfigureAwait(false)))))
            .WithName("GetWebhookSubscriptionSecret")
            .WithSummary("Get the signing secret")
            .WithDescription("The current signing secret, for a receiver that lost it. Guarded by the write policy: it lets anyone who has it forge webhooks.")
            .Produces<SecretResource>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.Secrets, api.Options);

        group.MapPost("/{id}/rotate-secret", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s =>
            {
                var (input, invalid) = await RequestBody.ReadAsync(context.Request, api, empty: new RotateSecretInput()).ConfigureAwait(false);
                if (invalid is not null)
                {
                    return invalid;
                }

                if (!TryOverlap(input!.OverlapSeconds, out var overlap, out var badOverlap))
                {
                    return badOverlap;
                }

                return TypedResults.Ok(new SecretResource(await subscriptions.RotateSecretAsync(s.Id, input.Secret, overlap, context.RequestAborted).ConfigureAwait(false)));
            }))
            .WithName("RotateWebhookSubscriptionSecret")
            .WithSummary("Rotate the signing secret")
            .WithDescription("Makes a new secret current (generated unless given); the old ones keep signing beside it for the overlap, so the receiver can switch without dropping requests.")
            .Accepts<RotateSecretInput>("application/json")
            .Produces<SecretResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.Secrets, api.Options);

        group.MapPost("/{id}/rotate-signing-key", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s =>
            {
                var (input, invalid) = await RequestBody.ReadAsync(context.Request, api, empty: new RotateSigningKeyInput()).ConfigureAwait(false);
                if (invalid is not null)
                {
                    return invalid;
                }

                if (!TryOverlap(input!.OverlapSeconds, out var overlap, out var badOverlap))
                {
                    return badOverlap;
                }

                string publicKey = await subscriptions.RotateSigningKeyAsync(s.Id, overlap, context.RequestAborted).ConfigureAwait(false);
                return TypedResults.Ok(new PublicKeyResource(publicKey, api.Time.GetUtcNow()));
            }))
            .WithName("RotateWebhookSubscriptionSigningKey")
            .WithSummary("Rotate the Ed25519 signing key")
            .WithDescription("Makes a new key pair for v1a signatures and returns its public key; the old keys keep signing beside it for the overlap, so the receiver can switch without dropping requests.")
            .Accepts<RotateSigningKeyInput>("application/json")
            .Produces<PublicKeyResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ManageEndpoints, api.Options);

        group.MapPost("/{id}/ping", (HttpContext context, string id, IWebhookSubscriptions subscriptions) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s => TypedResults.Accepted((string?)null, new PingResource(await subscriptions.PingAsync(s.Id, context.RequestAborted).ConfigureAwait(false)))))
            .WithName("PingWebhookSubscription")
            .WithSummary("Ping a subscription")
            .WithDescription("Queues a webhook.ping event to the endpoint; find how it went in the delivery log by its message id.")
            .Produces<PingResource>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ManageEndpoints, api.Options);

        group.MapPost("/{id}/test", (HttpContext context, string id, IWebhookSubscriptions subscriptions, [FromQuery] string? eventType) =>
            api.WithSubscriptionAsync(context, id, subscriptions, async s =>
            {
                var report = await subscriptions.TestAsync(s.Id, string.IsNullOrEmpty(eventType) ? null : eventType, context.RequestAborted).ConfigureAwait(false);
                return TypedResults.Ok(Resources.From(report));
            }))
            .WithName("TestWebhookSubscription")
            .WithSummary("Test a subscription")
            .WithDescription("Sends the example event of every type the subscription receives (or of ?eventType= only) at once, and reports how each went. Tests never disable a subscription.")
            .Produces<TestReportResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithAccess(WebhookPortalPermissions.ManageEndpoints, api.Options);
    }

    /// <summary>An overlap in seconds (0 to 30 days) as a duration, or the problem to answer with.</summary>
    private static bool TryOverlap(double? seconds, out TimeSpan? overlap, out IResult problem)
    {
        overlap = seconds is { } o && double.IsFinite(o) ? TimeSpan.FromSeconds(Math.Clamp(o, 0, 30 * 24 * 3600)) : null;
        problem = ApiProblems.Invalid("overlapSeconds", "The overlap must be between 0 and 2592000 seconds (30 days).");
        return seconds is not { } s || (double.IsFinite(s) && s is >= 0 and <= 30 * 24 * 3600);
    }
}
