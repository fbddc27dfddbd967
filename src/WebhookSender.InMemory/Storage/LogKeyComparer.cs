namespace WebhookSender.InMemory;

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
