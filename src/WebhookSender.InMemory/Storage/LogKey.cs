namespace WebhookSender.InMemory;

/// <summary>Where an item sits in a time-ordered log: its time in UTC ticks, then its id to break ties.</summary>
internal readonly record struct LogKey<TId>(long Ticks, TId Id);

/// <summary>Orders <see cref="LogKey{TId}"/> by time, then id; newest first or oldest first.</summary>
internal sealed class LogKeyComparer<TId>(IComparer<TId> idComparer, bool newestFirst) : IComparer<LogKey<TId>>
{
    public int Compare(LogKey<TId> x, LogKey<TId> y)
    {
        if (newestFirst)
        {
            (x, y) = (y, x);
        }

        int result = x.Ticks.CompareTo(y.Ticks);
        return result != 0 ? result : idComparer.Compare(x.Id, y.Id);
    }
}
