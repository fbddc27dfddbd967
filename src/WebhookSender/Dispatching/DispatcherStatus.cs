namespace WebhookSender;

/// <summary>Whether this process's dispatcher loop runs, for the health check: set by the loop itself.</summary>
internal sealed class DispatcherStatus
{
    private volatile int _state; // 0 not started, 1 running, 2 stopped

    public bool HasStarted => _state != 0;

    public bool IsRunning => _state == 1;

    public void Started() => _state = 1;

    public void Stopped() => _state = 2;
}
