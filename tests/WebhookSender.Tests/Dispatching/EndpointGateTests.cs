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
        Assert.Equal(Admission.Defer(Now.AddMinutes(1), Admission.CircuitOpen), gate.Admit(Work("dlv_1"), Now.AddSeconds(30)));

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
}
