namespace WebhookSender.AspNetCore;

/// <summary>Where a mapped field of the payload takes its value: a path into the event, or a constant.</summary>
/// <param name="Path">A path such as <c>data.order.id</c>.</param>
/// <param name="Constant">A fixed value.</param>
public sealed record FieldSourceResource(string? Path = null, string? Constant = null);
