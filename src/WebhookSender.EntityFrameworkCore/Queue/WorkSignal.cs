namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Wakes this process's waiting dispatchers: a task that completes on the next <see cref="Set"/>. Waiters take
/// <see cref="Next"/> before they look for work, so a signal between their look and their wait is never missed.
/// </summary>
internal sealed class WorkSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Set"/>.</summary>
    public Task Next
    {
        get
        {
            lock (_gate)
            {
                return _next.Task;
            }
        }
    }

    public void Set()
    {
        TaskCompletionSource signalled;
        lock (_gate)
        {
            signalled = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signalled.TrySetResult();
    }
}
