namespace WebhookSender;

/// <summary>What one read of a pull subscription returned.</summary>
/// <param name="Items">The next messages, in publish order; empty when none waits (after the wait, if one was asked for).</param>
/// <param name="Cursor">
/// Pass it to the next read: that read returns the messages after these, and acknowledges these (they leave the feed).
/// Reading with the same cursor again returns the same messages.
/// </param>
/// <param name="HasMore">Whether more messages wait after these.</param>
public sealed record WebhookUpdatePage(IReadOnlyList<WebhookUpdate> Items, string Cursor, bool HasMore);
