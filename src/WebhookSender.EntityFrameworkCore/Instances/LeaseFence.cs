using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Whether this instance can vouch for its leases. Other instances take its deliveries over once its heartbeat is
/// <see cref="EntityFrameworkStoreOptions.InstanceTimeout"/> old by the database's clock; this instance, by its own
/// monotonic clock, vouches only until one <see cref="EntityFrameworkStoreOptions.HeartbeatInterval"/> before that,
/// counted from the start of its last successful heartbeat (which is no later than the time the database wrote). When
/// that passes, <see cref="LeasesLost"/> is cancelled (the dispatcher cuts the attempts in flight) and nothing is leased
/// until a heartbeat succeeds again, which brings a new token.
/// </summary>
/// <remarks>
/// Until <see cref="Enable"/> (the heartbeat is not running: a store used without a host) it vouches for everything and
/// never cancels: leases then hold until they expire, as no other instance can see this one to take it over.
/// </remarks>
internal sealed class LeaseFence : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _window;
    private readonly string _instanceId;
    private readonly ILogger<LeaseFence> _logger;
    private readonly ITimer _expiry;
    private CancellationTokenSource _vouched;
    private TaskCompletionSource _regained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _vouchedFrom;
    private bool _enabled;
    private bool _closed;
    private bool _vouchedBefore;

    public LeaseFence(TimeProvider timeProvider, IOptions<EntityFrameworkStoreOptions> options, ILogger<LeaseFence> logger)
    {
        _timeProvider = timeProvider;
        _window = options.Value.InstanceTimeout - options.Value.HeartbeatInterval;
        _instanceId = options.Value.InstanceId;
        _logger = logger;
        _vouched = new CancellationTokenSource();
        _vouched.Cancel();
        _expiry = timeProvider.CreateTimer(static state => ((LeaseFence)state!).Expire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How long after the start of a successful heartbeat this instance vouches for its leases.</summary>
    public TimeSpan Window => _window;

    /// <summary>Cancelled when this instance can no longer vouch for the leases it took under it.</summary>
    public CancellationToken LeasesLost
    {
        get
        {
            lock (_gate)
            {
                return _enabled ? _vouched.Token : CancellationToken.None;
            }
        }
    }

    /// <summary>Whether this instance lost its leases (and has not vouched again since).</summary>
    public bool IsLost
    {
        get
        {
            lock (_gate)
            {
                return _enabled && _vouched.IsCancellationRequested;
            }
        }
    }

    /// <summary>The heartbeat runs: from now on leases are taken only while a recent heartbeat vouches for them.</summary>
    public void Enable()
    {
        lock (_gate)
        {
            _enabled = true;
        }
    }

    /// <summary>
    /// The token to take leases under now, or <see langword="false"/> when this instance cannot vouch for new leases
    /// (its heartbeat is too old, or it has not registered yet).
    /// </summary>
    public bool TryVouch(out CancellationToken token)
    {
        lock (_gate)
        {
            if (!_enabled)
            {
                token = CancellationToken.None;
                return true;
            }

            if (_vouched.IsCancellationRequested || _timeProvider.GetElapsedTime(_vouchedFrom) >= _window)
            {
                token = default;
                return false;
            }

            token = _vouched.Token;
            return true;
        }
    }

    /// <summary>Whether leases taken under <paramref name="token"/> (from <see cref="TryVouch"/>) are still vouched for.</summary>
    public bool StillVouches(CancellationToken token) => TryVouch(out var now) && now == token;

    /// <summary>
    /// A heartbeat that started at <paramref name="startedAt"/> (a <see cref="TimeProvider.GetTimestamp"/>) succeeded:
    /// vouches until <see cref="Window"/> after it. If the leases were lost, it vouches again (with a new token) only when
    /// <paramref name="regain"/> says the caller made the leases held before harmless; otherwise it returns
    /// <see langword="false"/> and changes nothing. A heartbeat that took longer than the window vouches for nothing.
    /// </summary>
    public bool Renew(long startedAt, bool regain)
    {
        TaskCompletionSource? regained = null;
        bool logRegained = false;
        lock (_gate)
        {
            var age = _timeProvider.GetElapsedTime(startedAt);
            if (_vouched.IsCancellationRequested && !regain)
            {
                return false;
            }

            if (_closed || age >= _window)
            {
                return true;
            }

            if (_vouched.IsCancellationRequested || startedAt > _vouchedFrom)
            {
                _vouchedFrom = startedAt;
            }

            if (_vouched.IsCancellationRequested)
            {
                // The old source stays cancelled (never disposed: the dispatcher may still link to its token).
                _vouched = new CancellationTokenSource();
                regained = _regained;
                _regained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                logRegained = _vouchedBefore;
                _vouchedBefore = true;
            }

            _expiry.Change(_window - _timeProvider.GetElapsedTime(_vouchedFrom), Timeout.InfiniteTimeSpan);
        }

        if (logRegained)
        {
            Log.LeasesRegained(_logger, _instanceId);
        }

        regained?.TrySetResult();

        return true;
    }

    /// <summary>This instance can no longer vouch for its leases (they were taken over, or it stops): cuts what runs under them.</summary>
    public void Lose() => Lose(stale: false);

    private void Lose(bool stale)
    {
        CancellationTokenSource lost;
        lock (_gate)
        {
            if (!_enabled || _vouched.IsCancellationRequested)
            {
                return;
            }

            lost = _vouched;
            _expiry.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        if (stale)
        {
            Log.LeasesLost(_logger, _instanceId, _window);
        }

        // Outside the lock: the dispatcher's attempts are cancelled by the callbacks this runs.
        lost.Cancel();
    }

    /// <summary>Stops vouching for good (the host stops): nothing is leased afterwards.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }

        Lose();
    }

    /// <summary>
    /// Completes when this instance may vouch for new leases again (at once if it may now), or after
    /// <paramref name="timeout"/>: while it cannot, finding due work is no reason to look again.
    /// </summary>
    public async Task WhenVouchedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task regained;
        lock (_gate)
        {
            if (!_enabled || !_vouched.IsCancellationRequested)
            {
                return;
            }

            regained = _regained.Task;
        }

        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(regained, Task.Delay(timeout, _timeProvider, stopWaiting.Token)).ConfigureAwait(false);
        await stopWaiting.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Expire()
    {
        lock (_gate)
        {
            // Renewed while the timer fired: wait for the new end instead.
            var left = _window - _timeProvider.GetElapsedTime(_vouchedFrom);
            if (left > TimeSpan.Zero)
            {
                _expiry.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        Lose(stale: true);
    }

    public void Dispose() => _expiry.Dispose();
}
