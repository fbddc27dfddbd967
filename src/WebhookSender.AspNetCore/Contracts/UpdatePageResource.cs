namespace WebhookSender.AspNetCore;

/// <summary>What one read of a pull subscription returned.</summary>
/// <param name="Items">The next messages in publish order; empty when none waits.</param>
/// <param name="Cursor">Pass it as <c>cursor</c> to the next read, which acknowledges these messages and returns the ones after.</param>
/// <param name="HasMore">Whether more messages wait after these.</param>
public sealed record UpdatePageResource(IReadOnlyList<UpdateResource> Items, string Cursor, bool HasMore);
