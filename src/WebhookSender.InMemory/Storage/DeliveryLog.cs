namespace WebhookSender.InMemory;

/// <summary>
/// The delivery log, newest first (creation time, then id, both descending), without a node per delivery: the log keeps
/// runs (<see cref="DeliveryRun"/>) in a sorted set, and merges runs of the same time by id while it is read. Such runs
/// are rare with a real clock (two publishes in one tick) and common with a fake one.
/// </summary>
internal sealed class DeliveryLog
{
    private static readonly IComparer<DeliveryEntry> OldestFirst = Comparer<DeliveryEntry>.Create(
        static (x, y) => x.CreatedTicks != y.CreatedTicks ? x.CreatedTicks.CompareTo(y.CreatedTicks) : x.Key.CompareTo(y.Key));

    private static readonly IComparer<DeliveryEntry> ByIdDescending = Comparer<DeliveryEntry>.Create(static (x, y) => y.Key.CompareTo(x.Key));

    private static readonly IComparer<DeliveryEntry> EntriesNewestFirst = Comparer<DeliveryEntry>.Create(
        static (x, y) => x.CreatedTicks != y.CreatedTicks ? y.CreatedTicks.CompareTo(x.CreatedTicks) : y.Key.CompareTo(x.Key));

    private readonly SortedSet<DeliveryRun> _runs = new(DeliveryRun.NewestFirst);
    private long _sequence;

    /// <summary>Adds new deliveries of <paramref name="message"/> as runs, one per creation time, and books the runs on the message.</summary>
    /// <param name="message">The message they belong to.</param>
    /// <param name="entries">The deliveries; the array is kept when they share one creation time and sorted in place.</param>
    public void Add(MessageEntry message, DeliveryEntry[] entries)
    {
        if (!IsSorted(entries))
        {
            Array.Sort(entries, OldestFirst);
        }

        int start = 0;
        while (start < entries.Length)
        {
            int end = start + 1;
            while (end < entries.Length && entries[end].CreatedTicks == entries[start].CreatedTicks)
            {
                end++;
            }

            var stretch = start == 0 && end == entries.Length ? entries : entries[start..end];
            var run = new DeliveryRun(entries[start].CreatedTicks, _sequence++, stretch);
            _runs.Add(run);
            message.Runs.Add(run);
            start = end;
        }
    }

    /// <summary>Drops the deliveries of <paramref name="message"/>.</summary>
    public void Remove(MessageEntry message)
    {
        foreach (var run in message.Runs)
        {
            _runs.Remove(run);
        }
    }

    /// <summary>Every delivery, newest first.</summary>
    public IEnumerable<DeliveryEntry> NewestFirst()
    {
        var sameTime = new List<DeliveryRun>();
        foreach (var run in _runs)
        {
            if (sameTime.Count > 0 && sameTime[0].Ticks != run.Ticks)
            {
                foreach (var entry in Merge(sameTime))
                {
                    yield return entry;
                }

                sameTime.Clear();
            }

            sameTime.Add(run);
        }

        foreach (var entry in Merge(sameTime))
        {
            yield return entry;
        }
    }

    /// <summary>The deliveries of one message, newest first.</summary>
    public static List<DeliveryEntry> NewestFirst(MessageEntry message)
    {
        var entries = new List<DeliveryEntry>();
        foreach (var run in message.Runs)
        {
            entries.AddRange(run.Entries);
        }

        entries.Sort(EntriesNewestFirst);
        return entries;
    }

    /// <summary>Merges runs of one time into one sequence, descending by id.</summary>
    private static IEnumerable<DeliveryEntry> Merge(List<DeliveryRun> runs)
    {
        if (runs.Count == 1)
        {
            var entries = runs[0].Entries;
            for (int i = entries.Length - 1; i >= 0; i--)
            {
                yield return entries[i];
            }

            yield break;
        }

        // Each run's next entry waits in a heap, highest id on top.
        var heads = new PriorityQueue<(DeliveryRun Run, int Index), DeliveryEntry>(runs.Count, ByIdDescending);
        foreach (var run in runs)
        {
            heads.Enqueue((run, run.Entries.Length - 1), run.Entries[^1]);
        }

        while (heads.TryDequeue(out var head, out var entry))
        {
            yield return entry;
            if (head.Index > 0)
            {
                heads.Enqueue((head.Run, head.Index - 1), head.Run.Entries[head.Index - 1]);
            }
        }
    }

    private static bool IsSorted(DeliveryEntry[] entries)
    {
        for (int i = 1; i < entries.Length; i++)
        {
            if (OldestFirst.Compare(entries[i - 1], entries[i]) >= 0)
            {
                return false;
            }
        }

        return true;
    }
}
