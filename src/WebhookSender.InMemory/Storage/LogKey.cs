namespace WebhookSender.InMemory;

/// <summary>Where an item sits in a time-ordered log: its time in UTC ticks, then its id to break ties.</summary>
internal readonly record struct LogKey<TId>(long Ticks, TId Id);
