using System.Diagnostics.Metrics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// The gates of the endpoints this process delivers to (<see cref="EndpointGate"/>), with what they share: the probation
/// pool, the bound on leased work waiting at gates, and the settings of <see cref="WebhookEndpointOptions"/>.
/// </summary>
internal sealed class EndpointGates
{
    // Past this many gates, idle ones are dropped: a dropped gate only forgets that its endpoint was proven.
    private const int MaxGates = 100_000;

    private readonly ConcurrentDictionary<string, EndpointGate> _gates = new(StringComparer.Ordinal);
    private readonly Lock _trimming = new();
    private readonly int _maxProbation;
    private readonly int _maxWaiting;
    private int _gateCount;
    private int _trimAt = MaxGates;
    private int _probationInFlight;
    private int _waiting;

    public EndpointGates(IOptions<WebhookOptions> options, WebhookTelemetry? telemetry = null)
    {
        telemetry?.ObserveInFlight(InFlightMeasurements);
        var settings = options.Value;
        var endpoints = settings.Endpoints;
        Defaults = new EndpointSettings(endpoints.MaxConcurrencyFor(settings.MaxConcurrency), endpoints.FailureThreshold, endpoints.BreakDuration);
        MaxBreakDuration = endpoints.MaxBreakDuration;
        _maxProbation = endpoints.MaxProbationConcurrency;
        _maxWaiting = Math.Max(1024, settings.MaxConcurrency * 32);
        MaxWaitingPerEndpoint = Math.Max(16, settings.MaxConcurrency * 2);
    }

    /// <summary>The host's settings (<see cref="WebhookEndpointOptions"/>), for endpoints without their own.</summary>
    public EndpointSettings Defaults { get; }

    public TimeSpan MaxBreakDuration { get; }

    /// <summary>
    /// How much leased work may wait at the gate of an endpoint that has not failed (it holds its lease, not a slot):
    /// twice the dispatcher's slots, at least 16; all gates together hold at most 32 times the slots, at least 1,024.
    /// Beyond that, work goes back to the queue for a while instead.
    /// </summary>
    public int MaxWaitingPerEndpoint { get; }

    /// <summary>The settings of an endpoint with <paramref name="controls"/>: its own where it has them, the defaults elsewhere.</summary>
    public EndpointSettings SettingsFor(WebhookDeliveryControls? controls) => controls is null
        ? Defaults
        : new EndpointSettings(
            controls.MaxConcurrency ?? Defaults.MaxConcurrency,
            controls.FailureThreshold ?? Defaults.FailureThreshold,
            controls.BreakDuration ?? Defaults.BreakDuration);

    /// <summary>The gate of a subscription, made on first use.</summary>
    public EndpointGate For(string subscriptionId)
    {
        if (_gates.TryGetValue(subscriptionId, out var gate))
        {
            return gate;
        }

        if (Volatile.Read(ref _gateCount) >= Volatile.Read(ref _trimAt))
        {
            TrimIdle();
        }

        var added = new EndpointGate(this);
        gate = _gates.GetOrAdd(subscriptionId, added);
        if (ReferenceEquals(gate, added))
        {
            Interlocked.Increment(ref _gateCount);
        }

        return gate;
    }

    /// <summary>Takes a slot of the probation pool; false when it is full.</summary>
    public bool TryTakeProbationSlot() => TryTake(ref _probationInFlight, _maxProbation);

    public void ReturnProbationSlot() => Interlocked.Decrement(ref _probationInFlight);

    /// <summary>Reserves room for one piece of work to wait at a gate; false when as much waits as the dispatcher allows.</summary>
    public bool TryReserveWaiting() => TryTake(ref _waiting, _maxWaiting);

    public void ReleaseWaiting(int count) => Interlocked.Add(ref _waiting, -count);

    /// <summary>Takes the work waiting at every gate, for the stopping dispatcher to give back to the queue.</summary>
    public List<DeliveryLease> TakeAllWaiting()
    {
        var all = new List<DeliveryLease>();
        foreach (var gate in _gates.Values)
        {
            foreach (var work in gate.TakeAllWaiting())
            {
                all.AddRange(work.Leases);
            }
        }

        return all;
    }

    /// <summary>The in-flight gauge's values: the busiest endpoints by id, the rest summed (bounded series, whatever the endpoints).</summary>
    private IEnumerable<Measurement<int>> InFlightMeasurements()
    {
        var busy = _gates.Select(g => (Id: g.Key, Count: g.Value.InFlight)).Where(g => g.Count > 0).OrderByDescending(g => g.Count).ToList();
        var shown = busy.Take(WebhookTelemetry.InFlightEndpointsShown)
            .Select(g => new Measurement<int>(g.Count, new KeyValuePair<string, object?>(TelemetryTags.SubscriptionId, g.Id)));
        int others = busy.Skip(WebhookTelemetry.InFlightEndpointsShown).Sum(g => g.Count);
        return [.. shown, new Measurement<int>(others, new KeyValuePair<string, object?>(TelemetryTags.SubscriptionId, TelemetryTags.OtherEndpoints))];
    }

    private static bool TryTake(ref int count, int max)
    {
        if (Interlocked.Increment(ref count) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref count);
        return false;
    }

    private void TrimIdle()
    {
        lock (_trimming)
        {
            if (Volatile.Read(ref _gateCount) < _trimAt)
            {
                return;
            }

            foreach (var (id, gate) in _gates)
            {
                if (gate.IsIdle && _gates.TryRemove(new KeyValuePair<string, EndpointGate>(id, gate)))
                {
                    Interlocked.Decrement(ref _gateCount);
                }
            }

            // When most gates are busy, the next sweep waits until their number has doubled: no sweep per new gate.
            Volatile.Write(ref _trimAt, Math.Max(MaxGates, Volatile.Read(ref _gateCount) * 2));
        }
    }
}
