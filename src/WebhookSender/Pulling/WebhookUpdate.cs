namespace WebhookSender;

/// <summary>One message a pull subscription's reader took, as a push request would have carried it.</summary>
/// <param name="Id">The message id, what push sends as <c>webhook-id</c>: the same on every read, so readers can drop duplicates.</param>
/// <param name="EventType">The event type (<c>webhook-event-type</c>).</param>
/// <param name="Timestamp">When the message was published.</param>
/// <param name="ContentType">The body's media type, from the subscription's format.</param>
/// <param name="Body">The body in the subscription's format and payload mode.</param>
public sealed record WebhookUpdate(string Id, string EventType, DateTimeOffset Timestamp, string ContentType, ReadOnlyMemory<byte> Body)
{
    /// <summary>The body as text (every built-in format is UTF-8 text).</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Body.Span);
}
