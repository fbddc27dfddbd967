namespace WebhookSender.InMemory;

/// <summary>Deliveries of one message stored in one call with one creation time, sorted by id: a stretch of the delivery log.</summary>
internal sealed class DeliveryRun(long ticks, long sequence, DeliveryEntry[] entries)
{
    /// <summary>Orders runs by time, then by when they were added, newest first.</summary>
    public static readonly IComparer<DeliveryRun> NewestFirst = Comparer<DeliveryRun>.Create(
        static (x, y) => x.Ticks != y.Ticks ? y.Ticks.CompareTo(x.Ticks) : y.Sequence.CompareTo(x.Sequence));

    /// <summary>The creation time of every delivery in the run, in UTC ticks.</summary>
    public long Ticks { get; } = ticks;

    /// <summary>Tells apart runs of the same time.</summary>
    public long Sequence { get; } = sequence;

    /// <summary>The deliveries, ascending by id.</summary>
    public DeliveryEntry[] Entries { get; } = entries;
}
