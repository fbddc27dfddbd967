namespace WebhookSender.Web;

/// <summary>The data of <c>order.placed</c>.</summary>
public sealed record OrderPlaced(string OrderId, int Items, decimal Total);

/// <summary>The data of <c>order.shipped</c>.</summary>
public sealed record OrderShipped(string OrderId, string? Carrier, DateTimeOffset ShippedAt);
