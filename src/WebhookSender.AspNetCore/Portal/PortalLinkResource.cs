namespace WebhookSender.AspNetCore;

/// <summary>What the page learns of its link: what it may do (to offer only that) and when it stops working.</summary>
/// <param name="Permissions">The permissions in camelCase: <c>readLog</c>, <c>manageEndpoints</c>, <c>secrets</c>, <c>redeliver</c>.</param>
/// <param name="ExpiresAt">When the link expires.</param>
internal sealed record PortalLinkResource(IReadOnlyList<string> Permissions, DateTimeOffset ExpiresAt);
