namespace WebhookSender.AspNetCore;

/// <summary>What a pull subscription's reader has still to read.</summary>
/// <param name="Unread">Messages waiting.</param>
/// <param name="OldestAt">When the oldest of them was published; <see langword="null"/> when none waits.</param>
public sealed record FeedBacklogResource(int Unread, DateTimeOffset? OldestAt);
