namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// The request bodies this instance saw committed lately, by message and digest, at most so many. The ten deliveries
/// of a fan-out end their leases in several writes; the first stores the body and the others, finding its key here, do
/// not send the kilobytes again for the database to refuse as a conflict. A body goes only with its message, and a
/// message goes only once none of its deliveries is pending, so a key here names a row that is still there whenever an
/// attempt of a pending delivery refers to it.
/// </summary>
internal sealed class StoredBodyKeys(int capacity)
{
    private readonly Lock _gate = new();
    private readonly HashSet<(string MessageId, long Digest)> _keys = [];
    private readonly Queue<(string MessageId, long Digest)> _oldestFirst = new();

    public bool Contains(string messageId, long digest)
    {
        lock (_gate)
        {
            return _keys.Contains((messageId, digest));
        }
    }

    /// <summary>Books bodies whose write has committed, dropping the oldest keys beyond the capacity.</summary>
    public void Add(IReadOnlyList<BodyRow> bodies)
    {
        if (bodies.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var body in bodies)
            {
                if (_keys.Add((body.MessageId, body.Digest)))
                {
                    _oldestFirst.Enqueue((body.MessageId, body.Digest));
                }
            }

            while (_oldestFirst.Count > capacity)
            {
                _keys.Remove(_oldestFirst.Dequeue());
            }
        }
    }
}
