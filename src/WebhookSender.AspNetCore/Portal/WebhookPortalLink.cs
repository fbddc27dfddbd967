namespace WebhookSender.AspNetCore;

/// <summary>What a portal link grants: one tenant, what its holder may do, until when.</summary>
/// <param name="TenantId">The tenant (workspace) whose webhooks the link shows; no other is reachable with it.</param>
/// <param name="Permissions">What the holder may do; always includes <see cref="WebhookPortalPermissions.ReadLog"/>.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
public sealed record WebhookPortalLink(string TenantId, WebhookPortalPermissions Permissions, DateTimeOffset ExpiresAt);
