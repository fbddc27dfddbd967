namespace WebhookSender;

/// <summary>
/// Wakes long-polling readers when this process adds to a pull feed, so they answer at once instead of at their next
/// look. Entries added by other processes (or inside the host's own transaction) are found by that next look.
/// </summary>
internal sealed class FeedSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every reader waiting now.</summary>
    public void Pulse() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for the next <see cref="Pulse"/> or <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        try
        {
            await Volatile.Read(ref _next).Task.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Time to look again.
        }
    }
}
