using Microsoft.Extensions.Options;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Dispatching;

/// <summary>The decisions of one endpoint's gate, step by step (the dispatcher end to end: <see cref="EndpointIsolationTests"/>).</summary>
public class EndpointGateTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_endpoint_gets_one_probe_at_a_time_and_its_other_work_waits()
    {
        var gates = Gates();
        var gate = gates.For("sub_a");

        Assert.Equal(Admission.Start(DispatchLane.Probation), gate.Admit(Work("dlv_1"), Now));
        Assert.Equal(Admission.Wait, gate.Admit(Work("dlv_2"), Now));

        // The probe succeeds: the endpoint is proven, and its waiting work goes back to the dispatcher for the main slots.
        var step = gate.Finish(DispatchLane.Probation, succeeded: true, TimeSpan.FromMilliseconds(5), Now, takeNext: true);
        Assert.Null(step.Next);
        Assert.Equal(["dlv_2"], step.Requeue!.SelectMany(w => w.Leases).Select(l => l.Delivery.Id));
        Assert.Equal(Admission.Start(DispatchLane.Main), gate.Admit(Work("dlv_2"), Now));
    }

    [Fact]
    public void A_proven_endpoint_runs_up_to_its_cap_and_hands_its_slot_to_the_next_waiting()
    {
        var gates = Gates(o => o.Endpoints.MaxConcurrency = 2);
        var gate = Proven(gates.For("sub_a"));

        Assert.Equal(AdmissionKind.Start, gate.Admit(Work("dlv_1"), Now).Kind);
        Assert.Equal(AdmissionKind.Start, gate.Admit(Work("dlv_2"), Now).Kind);
        Assert.Equal(Admission.Wait, gate.Admit(Work("dlv_3"), Now));

        var step = gate.Finish(DispatchLane.Main, succeeded: true, TimeSpan.FromMilliseconds(5), Now, takeNext: true);
        Assert.Equal("dlv_3", Assert.Single(step.Next!.Value.Leases).Delivery.Id);
    }

    [Fact]
    public void The_circuit_opens_at_the_threshold_defers_scheduled_work_and_doubles_its_break_per_failed_probe()
    {
        var gates = Gates(o =>
        {
            o.Endpoints.FailureThreshold = 2;
            o.Endpoints.BreakDuration = TimeSpan.FromMinutes(1);
            o.Endpoints.MaxBreakDuration = TimeSpan.FromMinutes(3);
        });
        var gate = gates.For("sub_a");

        Fail(gate, Now);
        var opened = Fail(gate, Now);
        Assert.True(opened.Circuit);
        var deferred = gate.Admit(Work("dlv_1"), Now.AddSeconds(30));
        Assert.Equal((AdmissionKind.Defer, Now.AddMinutes(1), Admission.CircuitOpen), (deferred.Kind, deferred.DeferUntil, deferred.DeferReason));
        Assert.Equal("The endpoint's circuit is open after 2 failed attempts in a row; it is tried again at " + Now.AddMinutes(1).ToString("u", System.Globalization.CultureInfo.InvariantCulture) + ".", deferred.HoldReason);

        // A redelivery asked for by hand goes through; at the end of the break one probe goes.
        Assert.Equal(AdmissionKind.Start, gate.Admit(Work("dlv_2", AttemptTrigger.Manual), Now.AddSeconds(30)).Kind);
        gate.Finish(DispatchLane.Probation, succeeded: null, TimeSpan.Zero, Now.AddSeconds(30), takeNext: false);

        var probeAt = Now.AddMinutes(1);
        Assert.Equal(AdmissionKind.Start, gate.Admit(Work("dlv_1"), probeAt).Kind);
        var reopened = gate.Finish(DispatchLane.Probation, succeeded: false, TimeSpan.Zero, probeAt, takeNext: true);
        Assert.True(reopened.Circuit);
        Assert.Equal(probeAt.AddMinutes(2), reopened.OpenUntil);

        // Doubling stops at MaxBreakDuration; a probe's success closes the circuit.
        var again = probeAt.AddMinutes(2);
        gate.Admit(Work("dlv_1"), again);
        Assert.Equal(again.AddMinutes(3), gate.Finish(DispatchLane.Probation, succeeded: false, TimeSpan.Zero, again, takeNext: true).OpenUntil);
        var last = again.AddMinutes(3);
        gate.Admit(Work("dlv_1"), last);
        Assert.False(gate.Finish(DispatchLane.Probation, succeeded: true, TimeSpan.Zero, last, takeNext: true).Circuit);
        Assert.Equal(Admission.Start(DispatchLane.Main), gate.Admit(Work("dlv_3"), last));
    }

    [Fact]
    public void Attempts_already_in_flight_when_the_circuit_opens_do_not_lengthen_the_break()
    {
        var gates = Gates(o =>
        {
            o.Endpoints.FailureThreshold = 1;
            o.Endpoints.BreakDuration = TimeSpan.FromMinutes(1);
            o.Endpoints.MaxConcurrency = 3;
        });
        var gate = Proven(gates.For("sub_a"));
        for (int i = 0; i < 3; i++)
        {
            gate.Admit(Work($"dlv_{i}"), Now);
        }

        Assert.True(gate.Finish(DispatchLane.Main, succeeded: false, TimeSpan.Zero, Now, takeNext: true).Circuit);
        Assert.Null(gate.Finish(DispatchLane.Main, succeeded: false, TimeSpan.Zero, Now.AddSeconds(1), takeNext: true).Circuit);
        Assert.Equal(Now.AddMinutes(1), gate.Finish(DispatchLane.Main, succeeded: false, TimeSpan.Zero, Now.AddSeconds(2), takeNext: true).OpenUntil);
    }

    [Fact]
    public void A_full_probation_pool_defers_new_endpoints_briefly()
    {
        var gates = Gates(o => o.Endpoints.MaxProbationConcurrency = 1);

        Assert.Equal(AdmissionKind.Start, gates.For("sub_a").Admit(Work("dlv_1"), Now).Kind);
        var deferred = gates.For("sub_b").Admit(Work("dlv_2"), Now);

        Assert.Equal((AdmissionKind.Defer, Admission.ProbationFull), (deferred.Kind, deferred.DeferReason));
        Assert.InRange(deferred.DeferUntil - Now, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        gates.ReturnProbationSlot();
        Assert.Equal(AdmissionKind.Start, gates.For("sub_b").Admit(Work("dlv_2"), Now).Kind);
    }

    [Fact]
    public void A_subscriptions_own_concurrency_and_circuit_settings_replace_the_hosts_and_its_deferrals_say_why()
    {
        var gates = Gates(o => o.Endpoints.MaxConcurrency = 2);
        var gate = Proven(gates.For("sub_a"));
        gate.Configure(new WebhookDeliveryControls { MaxConcurrency = 1, FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(7) });

        Assert.Equal(AdmissionKind.Start, gate.Admit(Work("dlv_1"), Now).Kind);
        gate.Admit(Work("dlv_2"), Now); // waits at the gate: one in flight is its own limit now, not the host's two

        // One failure opens its circuit (the host's threshold is 5) for its own break of 7 seconds.
        var step = gate.Finish(DispatchLane.Main, succeeded: false, TimeSpan.Zero, Now, takeNext: false);
        Assert.Equal((true, Now.AddSeconds(7), 1), (step.Circuit, step.OpenUntil, step.FailureThreshold));
        var deferred = gate.Admit(Work("dlv_3"), Now.AddSeconds(1));
        Assert.Equal((AdmissionKind.Defer, Admission.CircuitOpen, Now.AddSeconds(7)), (deferred.Kind, deferred.DeferReason, deferred.DeferUntil));
        Assert.StartsWith("The endpoint's circuit is open after 1 failed attempts in a row", deferred.HoldReason, StringComparison.Ordinal);

        // Back to the host's settings: two in flight, and the circuit needs five failures.
        gate.Configure(null);
        Assert.Equal(2, gates.SettingsFor(null).MaxConcurrency);
    }

    [Fact]
    public void A_busy_endpoint_defers_what_cannot_wait_at_its_gate_with_a_reason_for_the_log()
    {
        var gates = Gates(o => o.MaxConcurrency = 4);
        var gate = Proven(gates.For("sub_a"));
        gate.Configure(new WebhookDeliveryControls { MaxConcurrency = 1 });
        Assert.Equal(AdmissionKind.Start, gate.Admit(Work("dlv_0"), Now).Kind);
        for (int i = 1; i <= gates.MaxWaitingPerEndpoint; i++)
        {
            Assert.Equal(Admission.Wait, gate.Admit(Work($"dlv_{i}"), Now));
        }

        var deferred = gate.Admit(Work("dlv_last"), Now);
        Assert.Equal((AdmissionKind.Defer, Admission.EndpointBusy), (deferred.Kind, deferred.DeferReason));
        Assert.Equal("The endpoint has 1 attempts in flight, its concurrency limit; it waits its turn.", deferred.HoldReason);
    }

    [Fact]
    public void The_in_flight_gauge_names_the_ten_busiest_endpoints_and_sums_the_rest()
    {
        using var meters = new Meters();
        using var gauge = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<int>(meters, WebhookTelemetry.Name, WebhookTelemetry.InFlightName);
        var options = new WebhookOptions { MaxConcurrency = 64 };
        options.Endpoints.MaxConcurrency = 20;
        var gates = new EndpointGates(Options.Create(options), new WebhookTelemetry(meters));

        // Twelve endpoints with 1 to 12 attempts in flight.
        for (int i = 1; i <= 12; i++)
        {
            var gate = Proven(gates.For($"sub_{i:00}"));
            for (int n = 0; n < i; n++)
            {
                Assert.Equal(AdmissionKind.Start, gate.Admit(Work($"dlv_{i}_{n}"), Now).Kind);
            }
        }

        gauge.RecordObservableInstruments();
        var values = gauge.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["webhooks.subscription.id"]!, m => m.Value);
        Assert.Equal(11, values.Count);
        Assert.Equal(1 + 2, values["_OTHER"]);
        Assert.Equal(12, values["sub_12"]);
        Assert.DoesNotContain("sub_01", values.Keys);
    }

    private static EndpointGates Gates(Action<WebhookOptions>? configure = null)
    {
        var options = new WebhookOptions();
        configure?.Invoke(options);
        return new EndpointGates(Options.Create(options));
    }

    private static EndpointGate Proven(EndpointGate gate)
    {
        gate.Admit(Work("dlv_probe"), Now);
        gate.Finish(DispatchLane.Probation, succeeded: true, TimeSpan.FromMilliseconds(5), Now, takeNext: true);
        return gate;
    }

    private static GateStep Fail(EndpointGate gate, DateTimeOffset at)
    {
        gate.Admit(Work("dlv_x"), at);
        return gate.Finish(DispatchLane.Probation, succeeded: false, TimeSpan.Zero, at, takeNext: true);
    }

    private static LeasedWork Work(string id, AttemptTrigger trigger = AttemptTrigger.Scheduled) => new(
    [
        new DeliveryLease(
            new WebhookDelivery { Id = id, MessageId = "msg_1", SubscriptionId = "sub_a", EventType = "order.created", Trigger = trigger, DueAt = Now, CreatedAt = Now },
            "lease",
            Now.AddMinutes(2)),
    ], CancellationToken.None);

    /// <summary>Meters of their own, so the collector hears only this test's.</summary>
    private sealed class Meters : System.Diagnostics.Metrics.IMeterFactory
    {
        private readonly List<System.Diagnostics.Metrics.Meter> _made = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options.Name, options.Version, options.Tags, scope: this);
            _made.Add(meter);
            return meter;
        }

        public void Dispose() => _made.ForEach(m => m.Dispose());
    }
}
