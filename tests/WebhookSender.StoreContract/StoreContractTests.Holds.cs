namespace WebhookSender.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Releasing_held_deliveries_makes_due_now_only_the_queued_ones_whose_hold_matches_of_the_tenant_given()
    {
        var nextDay = ContractData.Start.AddDays(1);
        await Store.AddMessageAsync(ContractData.Message("msg_1", tenantId: "acme"), [
            ContractData.Delivery("dlv_held", "msg_1", tenantId: "acme") with { DueAt = nextDay, HoldReason = "Quota: tenant 'acme' has used its 3 requests." },
            ContractData.Delivery("dlv_later", "msg_1", tenantId: "acme", subscriptionId: "sub_b") with { DueAt = nextDay, HoldReason = "Over the endpoint's rate limit." },
            ContractData.Delivery("dlv_plain", "msg_1", tenantId: "acme", subscriptionId: "sub_c") with { DueAt = nextDay },
        ], None);
        await Store.AddMessageAsync(ContractData.Message("msg_2", tenantId: "globex"), [
            ContractData.Delivery("dlv_other", "msg_2", tenantId: "globex") with { DueAt = nextDay, HoldReason = "Quota: tenant 'globex' has used its 3 requests." },
        ], None);

        Assert.Equal(0, await Store.ReleaseHeldAsync("acme", "sub_other", "Quota: ", None));
        Assert.Equal(1, await Store.ReleaseHeldAsync("acme", null, "Quota: ", None));

        var lease = Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        Assert.Equal("dlv_held", lease.Delivery.Id);
        Assert.Equal(ContractData.Start, (await Store.GetDeliveryAsync("dlv_later", None))!.DueAt.AddDays(-1));

        // Leased, it is not touched again; the other tenant's go when asked for by tenant, or for everyone.
        Assert.Equal(0, await Store.ReleaseHeldAsync("acme", null, "Quota: ", None));
        Assert.Equal(1, await Store.ReleaseHeldAsync(null, null, "Quota: ", None));
        Assert.Equal("dlv_other", Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Delivery.Id);
    }
}
