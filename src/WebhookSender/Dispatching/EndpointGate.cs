namespace WebhookSender;

/// <summary>
/// The dispatcher's view of one endpoint (a subscription) in this process: its attempts in flight, whether it is proven
/// (its last attempt succeeded), its failure streak and circuit, and leased work waiting for its turn. Every method takes
/// the gate's lock briefly; none waits for anything.
/// </summary>
internal sealed class EndpointGate(EndpointGates gates)
{
    private const int MaxWaitingWhenFailing = 4;

    private static readonly TimeSpan MinBusyDelay = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxBusyDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Queue<LeasedWork> _waiting = new();
    private int _inFlight;
    private bool _proven;
    private int _failures;
    private int _breaks;
    private DateTimeOffset _openUntil;
    private TimeSpan _typicalDuration;
    private WebhookDeliveryControls? _controls;
    private EndpointSettings _settings = gates.Defaults;

    /// <summary>Attempts in flight to the endpoint now (for the in-flight gauge; read without the lock, it may be a moment old).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Whether the gate holds nothing worth keeping: no attempt in flight, no waiting work, no failure streak.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_lock)
            {
                return _inFlight == 0 && _waiting.Count == 0 && _failures == 0;
            }
        }
    }

    /// <summary>
    /// Takes the subscription's own concurrency and circuit settings (read by each attempt; until the first, the gate uses
    /// the defaults, and a new endpoint is on probation anyway: one attempt at a time).
    /// </summary>
    public void Configure(WebhookDeliveryControls? controls)
    {
        lock (_lock)
        {
            if (!Equals(controls, _controls))
            {
                (_controls, _settings) = (controls, gates.SettingsFor(controls));
            }
        }
    }

    /// <summary>Decides what happens to <paramref name="work"/> now.</summary>
    public Admission Admit(LeasedWork work, DateTimeOffset now)
    {
        // Asked for by a person, or the check of a new subscription: not held back by an open circuit.
        bool probe = work.Leases[0].Delivery.Trigger is AttemptTrigger.Manual or AttemptTrigger.Ping;
        lock (_lock)
        {
            if (!probe && IsOpen(now))
            {
                return Admission.Defer(_openUntil, Admission.CircuitOpen, HoldReasons.CircuitOpen(_failures, _openUntil));
            }

            if (_inFlight < Limit)
            {
                if (_proven)
                {
                    Begin();
                    return Admission.Start(DispatchLane.Main);
                }

                if (gates.TryTakeProbationSlot())
                {
                    Begin();
                    return Admission.Start(DispatchLane.Probation);
                }

                return Admission.Defer(now + MaxBusyDelay, Admission.ProbationFull, HoldReasons.ProbationFull);
            }

            // Behind a failing endpoint only a little waits: the rest is better deferred, for as long as it would wait here.
            int maxWaiting = _failures > 0 ? MaxWaitingWhenFailing : gates.MaxWaitingPerEndpoint;
            if (_waiting.Count < maxWaiting && gates.TryReserveWaiting())
            {
                _waiting.Enqueue(work);
                return Admission.Wait;
            }

            return Admission.Defer(BusyUntil(now), Admission.EndpointBusy, HoldReasons.EndpointBusy(_inFlight));
        }
    }

    /// <summary>
    /// Books the end of an attempt made in <paramref name="lane"/>: <paramref name="succeeded"/> is its outcome, or
    /// <see langword="null"/> when nothing was sent. Hands on waiting work: the next item to run in the same slot when the
    /// lane still fits (and <paramref name="takeNext"/>), or all of it back to the dispatcher when the endpoint changed lane.
    /// </summary>
    public GateStep Finish(DispatchLane lane, bool? succeeded, TimeSpan duration, DateTimeOffset now, bool takeNext)
    {
        lock (_lock)
        {
            _inFlight--;
            bool? circuit = succeeded is { } outcome ? Record(outcome, duration, now) : null;
            if (_waiting.Count == 0)
            {
                return new GateStep(null, null, circuit, _openUntil, _settings.FailureThreshold);
            }

            bool sameLane = (lane == DispatchLane.Main) == _proven;
            if (takeNext && sameLane && _inFlight < Limit && !IsOpen(now))
            {
                gates.ReleaseWaiting(1);
                Begin();
                return new GateStep(_waiting.Dequeue(), null, circuit, _openUntil, _settings.FailureThreshold);
            }

            // A new lane (proven now, or failing now) or an open circuit: the dispatcher admits the waiting work anew, once
            // the attempts still in flight in the old lane have ended.
            if (!sameLane && _inFlight > 0)
            {
                return new GateStep(null, null, circuit, _openUntil, _settings.FailureThreshold);
            }

            return new GateStep(null, TakeAllWaiting(), circuit, _openUntil, _settings.FailureThreshold);
        }
    }

    /// <summary>Takes all waiting work (to be admitted anew, or given back to the queue when the dispatcher stops).</summary>
    public List<LeasedWork> TakeAllWaiting()
    {
        lock (_lock)
        {
            gates.ReleaseWaiting(_waiting.Count);
            var all = new List<LeasedWork>(_waiting);
            _waiting.Clear();
            return all;
        }
    }

    private int Limit => _proven ? _settings.MaxConcurrency : 1;

    private bool IsOpen(DateTimeOffset now) => _settings.FailureThreshold > 0 && _failures >= _settings.FailureThreshold && now < _openUntil;

    private void Begin() => _inFlight++;

    /// <summary>Updates the streak with an outcome; returns whether the circuit opened (true) or closed (false) with it.</summary>
    private bool? Record(bool succeeded, TimeSpan duration, DateTimeOffset now)
    {
        _typicalDuration = _typicalDuration == TimeSpan.Zero ? duration : (_typicalDuration * 4 + duration) / 5;
        int threshold = _settings.FailureThreshold;
        if (succeeded)
        {
            bool wasOpen = threshold > 0 && _failures >= threshold;
            (_proven, _failures, _breaks) = (true, 0, 0);
            return wasOpen ? false : null;
        }

        _proven = false;
        _failures++;

        // Opens at the threshold, and again when a probe after the break fails; attempts that were already in flight when
        // it opened end within the break and do not lengthen it.
        if (threshold > 0 && _failures >= threshold && now >= _openUntil)
        {
            var brk = _settings.BreakDuration * Math.Pow(2, Math.Min(_breaks, 30));
            _openUntil = now + (brk < gates.MaxBreakDuration ? brk : gates.MaxBreakDuration);
            _breaks++;
            return true;
        }

        return null;
    }

    /// <summary>
    /// When a busy endpoint may have room again: a second when none of its attempts was timed yet; otherwise its typical
    /// attempt times the work already waiting per slot, at most a second when proven and a break when on probation (an
    /// endpoint that hangs would otherwise have its work leased and deferred again every few seconds).
    /// </summary>
    private DateTimeOffset BusyUntil(DateTimeOffset now)
    {
        if (_typicalDuration == TimeSpan.Zero)
        {
            return now + MaxBusyDelay;
        }

        var wait = (_typicalDuration < MinBusyDelay ? MinBusyDelay : _typicalDuration) * (1 + (double)_waiting.Count / Limit);
        var cap = _proven ? MaxBusyDelay : _settings.BreakDuration;
        return now + (wait < cap ? wait : cap);
    }
}
