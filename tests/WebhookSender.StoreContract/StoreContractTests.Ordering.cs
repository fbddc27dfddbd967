namespace WebhookSender.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task An_ordered_line_hands_out_its_oldest_pending_delivery_only_until_that_one_finishes()
    {
        Assert.True(Queue.KeepsOrder);
        await PublishOrderedAsync("sub_a", "dlv_1", "dlv_2", "dlv_3");
        await PublishAsync("msg_x", "dlv_x");

        // The first of the line and the unordered delivery; the rest of the line waits.
        var leases = await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None);
        Assert.Equal(["dlv_1", "dlv_x"], leases.Select(l => l.Delivery.Id).Order(StringComparer.Ordinal));
        var first = leases.Single(l => l.Delivery.Id == "dlv_1");
        Assert.Equal("sub_a", first.Delivery.OrderKey);
        var unordered = leases.Single(l => l.Delivery.Id == "dlv_x");
        Assert.True(await Queue.CompleteAsync(unordered, ContractData.Succeeded(unordered.Delivery), None));

        // Retrying, it still holds the others back, though they are due and it is not.
        Assert.True(await Queue.RescheduleAsync(first, first.Delivery with { Status = DeliveryStatus.Queued, DueAt = ContractData.Start.AddMinutes(5) }, None));
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));

        // Due again, it goes first; failed for good, it lets the next one go, and so on in order.
        Clock.Advance(TimeSpan.FromMinutes(4));
        var retry = Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        Assert.Equal("dlv_1", retry.Delivery.Id);
        Assert.True(await Queue.CompleteAsync(retry, retry.Delivery with { Status = DeliveryStatus.Failed, CompletedAt = Clock.GetUtcNow() }, None));
        Assert.Equal("dlv_2", Assert.Single(await LeaseAndSucceedAllAsync()));
        Assert.Equal("dlv_3", Assert.Single(await LeaseAndSucceedAllAsync()));
        Assert.Empty(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
    }

    [Fact]
    public async Task An_ordered_line_whose_first_lease_lapses_hands_out_that_one_again_not_the_next()
    {
        await PublishOrderedAsync("sub_a", "dlv_1", "dlv_2");
        Assert.Equal("dlv_1", Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Delivery.Id);

        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("dlv_1", Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Delivery.Id);
    }

    [Fact]
    public async Task Ordered_lines_of_different_subscriptions_do_not_wait_for_each_other()
    {
        await PublishOrderedAsync("sub_a", "dlv_a1", "dlv_a2");
        await PublishOrderedAsync("sub_b", "dlv_b1", "dlv_b2");

        var leases = await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None);
        Assert.Equal(["dlv_a1", "dlv_b1"], leases.Select(l => l.Delivery.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_hold_reason_given_with_a_rescheduled_delivery_is_kept_until_the_next_attempt_clears_it()
    {
        await PublishAsync("msg_1", "dlv_1");
        var lease = Assert.Single(await Queue.LeaseAsync(1, TimeSpan.FromMinutes(1), None));
        var held = lease.Delivery with { Status = DeliveryStatus.Queued, DueAt = ContractData.Start.AddSeconds(1), HoldReason = "Over the endpoint's rate limit." };
        Assert.True(await Queue.RescheduleAsync(lease, held, None));

        Assert.Equal("Over the endpoint's rate limit.", (await Store.GetDeliveryAsync("dlv_1", None))!.HoldReason);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var again = Assert.Single(await Queue.LeaseAsync(1, TimeSpan.FromMinutes(1), None));
        Assert.Equal("Over the endpoint's rate limit.", again.Delivery.HoldReason);

        Assert.True(await Queue.CompleteAsync(again, ContractData.Succeeded(again.Delivery) with { HoldReason = null }, None));
        Assert.Null((await Store.GetDeliveryAsync("dlv_1", None))!.HoldReason);
    }

    [Fact]
    public async Task The_backlog_counts_an_ordered_lines_later_deliveries_as_waiting_not_due()
    {
        await PublishOrderedAsync("sub_a", "dlv_1", "dlv_2", "dlv_3");

        var backlog = await Store.GetBacklogAsync(null, None);
        Assert.Equal((1, 0, 2, ContractData.Start), (backlog.Due, backlog.InFlight, backlog.Waiting, backlog.OldestDueAt));
    }

    [Fact]
    public async Task An_ordered_lines_first_released_from_a_quota_hold_lets_the_next_go_when_it_is_done()
    {
        await PublishOrderedAsync("sub_a", "dlv_1", "dlv_2");
        var first = Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        var windowEnd = ContractData.Start.AddDays(1);
        Assert.True(await Queue.RescheduleAsync(first, first.Delivery with { Status = DeliveryStatus.Queued, DueAt = windowEnd, HoldReason = "Quota: used up." }, None));

        // Released (the quota was raised), it goes, and once done the next goes at once, not at the window's end.
        Assert.Equal(1, await Store.ReleaseHeldAsync(null, "sub_a", "Quota: ", None));
        var again = Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        Assert.Equal("dlv_1", again.Delivery.Id);
        Assert.True(await Queue.CompleteAsync(again, ContractData.Succeeded(again.Delivery), None));
        Assert.Equal("dlv_2", Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Delivery.Id);
    }

    [Fact]
    public async Task A_delivery_published_behind_an_ordered_lines_retrying_first_goes_when_that_one_is_done()
    {
        await PublishOrderedAsync("sub_a", "dlv_1");
        var first = Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        Assert.True(await Queue.RescheduleAsync(first, first.Delivery with { Status = DeliveryStatus.Queued, DueAt = ContractData.Start.AddMinutes(5) }, None));
        var later = ContractData.Delivery("dlv_2", "msg_dlv_2", createdAt: ContractData.Start.AddSeconds(1)) with { OrderKey = "sub_a" };
        await Store.AddMessageAsync(ContractData.Message("msg_dlv_2", createdAt: ContractData.Start.AddSeconds(1)), [later], None);

        Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        Clock.Advance(TimeSpan.FromMinutes(1));
        var retry = Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        Assert.True(await Queue.CompleteAsync(retry, ContractData.Succeeded(retry.Delivery), None));
        Assert.Equal("dlv_2", Assert.Single(await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).Delivery.Id);
    }

    /// <summary>Publishes one message per delivery id, one tick apart, each delivery in the ordered line <paramref name="orderKey"/>.</summary>
    private async Task PublishOrderedAsync(string orderKey, params string[] deliveryIds)
    {
        for (int i = 0; i < deliveryIds.Length; i++)
        {
            string messageId = "msg_" + deliveryIds[i];
            var createdAt = ContractData.Start.AddTicks(i);
            var delivery = ContractData.Delivery(deliveryIds[i], messageId, createdAt: createdAt) with { OrderKey = orderKey, SubscriptionId = orderKey };
            await Store.AddMessageAsync(ContractData.Message(messageId, createdAt: createdAt), [delivery], None);
        }
    }

    /// <summary>Leases what is due and completes all of it as Succeeded; returns the ids leased.</summary>
    private async Task<List<string>> LeaseAndSucceedAllAsync()
    {
        var leases = await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None);
        foreach (var lease in leases)
        {
            Assert.True(await Queue.CompleteAsync(lease, ContractData.Succeeded(lease.Delivery), None));
        }

        return [.. leases.Select(l => l.Delivery.Id)];
    }
}
