namespace WebhookSender.AspNetCore;

/// <summary>One message a pull subscription's reader took.</summary>
/// <param name="Id">The message id (<c>webhook-id</c> in push): the same on every read, for dropping duplicates.</param>
/// <param name="Type">The event type.</param>
/// <param name="Timestamp">When the message was published.</param>
/// <param name="ContentType">The body's media type, from the subscription's format.</param>
/// <param name="Body">The body as push would send it, in the subscription's format and payload mode, as text.</param>
public sealed record UpdateResource(string Id, string Type, DateTimeOffset Timestamp, string ContentType, string Body);
