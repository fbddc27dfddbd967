namespace WebhookSender.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Backlog_of_an_empty_store_is_zero_at_the_store_time()
    {
        var backlog = await Store.GetBacklogAsync(null, None);

        Assert.Equal((0, 0, 0, 0), (backlog.Due, backlog.InFlight, backlog.Waiting, backlog.Pending));
        Assert.Null(backlog.OldestDueAt);
        Assert.Null(backlog.OldestDueAge);
        Assert.Equal(Clock.GetUtcNow(), backlog.MeasuredAt);
    }

    [Fact]
    public async Task Backlog_counts_due_in_flight_and_waiting_deliveries_and_the_oldest_due_time()
    {
        var now = Clock.GetUtcNow();
        await Store.AddMessageAsync(
            ContractData.Message("msg_1"),
            [
                ContractData.Delivery("dlv_a", "msg_1", dueAt: now.AddMinutes(-3)),
                ContractData.Delivery("dlv_b", "msg_1", dueAt: now.AddMinutes(-1)),
                ContractData.Delivery("dlv_c", "msg_1", dueAt: now),
                ContractData.Delivery("dlv_d", "msg_1", dueAt: now.AddMinutes(5)),
                ContractData.Delivery("dlv_done", "msg_1", status: DeliveryStatus.Succeeded),
            ],
            None);
        var leased = Assert.Single(await Queue.LeaseAsync(1, LeaseDuration, None));
        Assert.Equal("dlv_a", leased.Delivery.Id);

        var backlog = await Store.GetBacklogAsync(null, None);

        Assert.Equal((2, 1, 1, 4), (backlog.Due, backlog.InFlight, backlog.Waiting, backlog.Pending));
        Assert.Equal(now.AddMinutes(-1), backlog.OldestDueAt);
        Assert.Equal(TimeSpan.FromMinutes(1), backlog.OldestDueAge);
        Assert.Equal(now, backlog.MeasuredAt);
    }

    [Fact]
    public async Task Backlog_counts_a_lapsed_lease_as_due_since_its_expiry_and_leaves_finished_deliveries_out()
    {
        await PublishAsync("msg_1", "dlv_1", "dlv_2");
        var leases = await Queue.LeaseAsync(10, LeaseDuration, None);
        Assert.Equal(2, leases.Count);
        Assert.True(await Queue.CompleteAsync(leases[0], ContractData.Succeeded(leases[0].Delivery), None));
        Assert.Equal((0, 1, 0), Counts(await Store.GetBacklogAsync(null, None)));

        Clock.Advance(LeaseDuration + TimeSpan.FromSeconds(5));
        var backlog = await Store.GetBacklogAsync(null, None);

        Assert.Equal((1, 0, 0), Counts(backlog));
        Assert.Equal(ContractData.Start + LeaseDuration, backlog.OldestDueAt);
        Assert.Equal(TimeSpan.FromSeconds(5), backlog.OldestDueAge);
    }

    [Fact]
    public async Task Backlog_counts_a_rescheduled_delivery_as_waiting_until_its_due_time()
    {
        await PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await Queue.LeaseAsync(10, LeaseDuration, None));
        var retryAt = Clock.GetUtcNow().AddMinutes(5);
        Assert.True(await Queue.RescheduleAsync(lease, lease.Delivery with { Status = DeliveryStatus.Queued, AttemptCount = 1, DueAt = retryAt }, None));
        Assert.Equal((0, 0, 1), Counts(await Store.GetBacklogAsync(null, None)));

        Clock.Advance(TimeSpan.FromMinutes(6));
        var backlog = await Store.GetBacklogAsync(null, None);

        Assert.Equal((1, 0, 0), Counts(backlog));
        Assert.Equal(retryAt, backlog.OldestDueAt);
    }

    [Fact]
    public async Task Backlog_of_a_tenant_counts_only_its_deliveries_and_without_a_tenant_counts_all()
    {
        var now = Clock.GetUtcNow();
        await Store.AddMessageAsync(ContractData.Message("msg_acme", tenantId: "acme"),
            [ContractData.Delivery("dlv_acme_1", "msg_acme", dueAt: now.AddMinutes(-2), tenantId: "acme"), ContractData.Delivery("dlv_acme_2", "msg_acme", dueAt: now.AddMinutes(1), tenantId: "acme")], None);
        await Store.AddMessageAsync(ContractData.Message("msg_globex", tenantId: "globex"),
            [ContractData.Delivery("dlv_globex", "msg_globex", dueAt: now.AddMinutes(-5), tenantId: "globex")], None);
        await Store.AddMessageAsync(ContractData.Message("msg_host"), [ContractData.Delivery("dlv_host", "msg_host", dueAt: now.AddMinutes(-9))], None);

        var acme = await Store.GetBacklogAsync("acme", None);
        var globex = await Store.GetBacklogAsync("globex", None);
        var nobody = await Store.GetBacklogAsync("initech", None);
        var all = await Store.GetBacklogAsync(null, None);

        Assert.Equal((1, 0, 1), Counts(acme));
        Assert.Equal(now.AddMinutes(-2), acme.OldestDueAt);
        Assert.Equal((1, 0, 0), Counts(globex));
        Assert.Equal(now.AddMinutes(-5), globex.OldestDueAt);
        Assert.Equal((0, 0, 0), Counts(nobody));
        Assert.Null(nobody.OldestDueAt);
        Assert.Equal((3, 0, 1), Counts(all));
        Assert.Equal(now.AddMinutes(-9), all.OldestDueAt);
    }

    private static (int Due, int InFlight, int Waiting) Counts(WebhookBacklog backlog) => (backlog.Due, backlog.InFlight, backlog.Waiting);
}
