using WebhookSender.Storage;

namespace WebhookSender.StoreContract;

public abstract partial class StoreContractTests
{
    /// <summary>The feed store under test (every adapter implements it).</summary>
    protected IWebhookFeedStore Feeds => Store as IWebhookFeedStore ?? throw new InvalidOperationException("The store does not implement IWebhookFeedStore.");

    /// <summary>
    /// Reads the feed until it shows at least <paramref name="count"/> entries (10 s at most). PostgreSQL shows a row
    /// only once every older transaction of the cluster has ended, and tests of other classes run transactions meanwhile.
    /// </summary>
    private async Task<IReadOnlyList<FeedEntry>> FeedAsync(string subscriptionId, FeedPosition after, int limit, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<FeedEntry> entries;
        while ((entries = await Feeds.ReadFeedAsync(subscriptionId, after, limit, None)).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return entries;
    }

    private static WebhookDelivery Unread(string id, string messageId, string subscriptionId = "sub_pull") =>
        ContractData.Delivery(id, messageId, subscriptionId: subscriptionId, status: DeliveryStatus.Unread);

    private static DeliveryAttempt PullAttempt(FeedEntry entry, DateTimeOffset at) => ContractData.Attempt(Guid.CreateVersion7(at), at, entry.Delivery.SubscriptionId) with
    {
        DeliveryId = entry.Delivery.Id,
        MessageId = entry.Message.Id,
        Trigger = AttemptTrigger.Pull,
    };

    [Fact]
    public async Task Unread_deliveries_are_kept_in_publish_order_for_their_subscription_and_never_leased()
    {
        await Store.AddMessageAsync(ContractData.Message("msg_1"), [Unread("dlv_1", "msg_1"), Unread("dlv_1b", "msg_1", "sub_other"), ContractData.Delivery("dlv_push", "msg_1")], None);
        await Store.AddMessageAsync(ContractData.Message("msg_2"), [Unread("dlv_2", "msg_2")], None);
        await Store.AddMessageAsync(ContractData.Message("msg_3"), [Unread("dlv_3", "msg_3")], None);

        var all = await FeedAsync("sub_pull", FeedPosition.Start, 10, 3);
        Assert.Equal(["msg_1", "msg_2", "msg_3"], all.Select(e => e.Message.Id));
        Assert.Equal(["dlv_1", "dlv_2", "dlv_3"], all.Select(e => e.Delivery.Id));
        Assert.All(all, e => Assert.Equal(DeliveryStatus.Unread, e.Delivery.Status));
        Assert.True(all[0].Position < all[1].Position && all[1].Position < all[2].Position);

        var after = await FeedAsync("sub_pull", all[0].Position, 1, 1);
        Assert.Equal(["dlv_2"], after.Select(e => e.Delivery.Id));
        Assert.Equal(["dlv_1b"], (await FeedAsync("sub_other", FeedPosition.Start, 10, 1)).Select(e => e.Delivery.Id));

        // Only the push delivery is ever handed to a dispatcher.
        var leases = await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None);
        Assert.Equal(["dlv_push"], leases.Select(l => l.Delivery.Id));
        Assert.Equal(new WebhookFeedBacklog(3, ContractData.Start), await Feeds.GetFeedBacklogAsync("sub_pull", None));
    }

    [Fact]
    public async Task Acknowledging_succeeds_what_the_cursor_passed_logs_what_was_taken_and_counts_it()
    {
        await Store.AddMessageAsync(ContractData.Message("msg_1"), [Unread("dlv_1", "msg_1")], None);
        await Store.AddMessageAsync(ContractData.Message("msg_2"), [Unread("dlv_2", "msg_2")], None);
        await Store.AddMessageAsync(ContractData.Message("msg_3"), [Unread("dlv_3", "msg_3")], None);
        var first = await FeedAsync("sub_pull", FeedPosition.Start, 2, 2);
        var readAt = ContractData.Start.AddMinutes(1);
        await Feeds.AcknowledgeAsync("sub_pull", FeedPosition.Start, [.. first.Select(e => PullAttempt(e, readAt))], readAt, None);

        // Nothing passed yet: the same page again, now counted once.
        var again = await FeedAsync("sub_pull", FeedPosition.Start, 2, 2);
        Assert.Equal(["dlv_1", "dlv_2"], again.Select(e => e.Delivery.Id));
        Assert.Equal((1, readAt, 200), ((await Store.GetDeliveryAsync("dlv_1", None))!.AttemptCount, (await Store.GetDeliveryAsync("dlv_1", None))!.LastAttemptAt, (await Store.GetDeliveryAsync("dlv_1", None))!.LastStatusCode));

        var later = ContractData.Start.AddMinutes(2);
        var next = await FeedAsync("sub_pull", first[^1].Position, 2, 1);
        await Feeds.AcknowledgeAsync("sub_pull", first[^1].Position, [.. next.Select(e => PullAttempt(e, later))], later, None);

        var passed = (await Store.GetDeliveryAsync("dlv_2", None))!;
        Assert.Equal((DeliveryStatus.Succeeded, later), (passed.Status, passed.CompletedAt));
        Assert.Equal(DeliveryStatus.Unread, (await Store.GetDeliveryAsync("dlv_3", None))!.Status);
        Assert.Equal(["dlv_3"], (await FeedAsync("sub_pull", FeedPosition.Start, 10, 1)).Select(e => e.Delivery.Id));
        Assert.Equal(3, (await Store.ListAttemptsAsync(new AttemptQuery { SubscriptionId = "sub_pull" }, None)).Items.Count);
        Assert.Equal(new WebhookFeedBacklog(1, ContractData.Start), await Feeds.GetFeedBacklogAsync("sub_pull", None));
    }

    [Fact]
    public async Task Switching_moves_queued_deliveries_into_the_feed_and_unread_ones_back_to_the_queue()
    {
        await Store.AddMessageAsync(ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1", subscriptionId: "sub_pull")], None);
        await Store.AddMessageAsync(ContractData.Message("msg_2"), [ContractData.Delivery("dlv_2", "msg_2", subscriptionId: "sub_pull")], None);
        await Store.AddMessageAsync(ContractData.Message("msg_3"), [ContractData.Delivery("dlv_3", "msg_3", subscriptionId: "sub_pull"), ContractData.Delivery("dlv_x", "msg_3", subscriptionId: "sub_x")], None);
        var held = Assert.Single(await Queue.LeaseAsync(1, TimeSpan.FromHours(1), None));
        Assert.Equal("dlv_1", held.Delivery.Id);

        // To pull: the queued ones that no dispatcher holds join the feed; the held one stays with its dispatcher.
        Assert.Equal(2, await Feeds.MoveDeliveriesAsync("sub_pull", toFeed: true, ContractData.Start, None));
        Assert.Equal(["dlv_2", "dlv_3"], (await FeedAsync("sub_pull", FeedPosition.Start, 10, 2)).Select(e => e.Delivery.Id));
        Assert.Equal(DeliveryStatus.Unread, (await Store.GetDeliveryAsync("dlv_2", None))!.Status);
        Assert.Equal(["dlv_x"], (await Queue.LeaseAsync(10, TimeSpan.FromHours(1), None)).Select(l => l.Delivery.Id));

        // To push: the unread ones are queued, due now.
        var now = ContractData.Start.AddMinutes(5);
        Clock.SetUtcNow(now);
        Assert.Equal(2, await Feeds.MoveDeliveriesAsync("sub_pull", toFeed: false, now, None));
        Assert.Empty(await Feeds.ReadFeedAsync("sub_pull", FeedPosition.Start, 10, None));
        var leased = await Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None);
        Assert.Equal(["dlv_2", "dlv_3"], leased.Select(l => l.Delivery.Id).Order());
        Assert.All(leased, l => Assert.Equal(DeliveryStatus.Dispatched, l.Delivery.Status));
    }

    [Fact]
    public async Task Deleting_a_pull_subscription_fails_its_unread_deliveries()
    {
        await Store.AddSubscriptionAsync(ContractData.Subscription("sub_pull") with { Url = null }, None);
        await Store.AddMessageAsync(ContractData.Message("msg_1"), [Unread("dlv_1", "msg_1")], None);

        Assert.True(await Store.DeleteSubscriptionAsync("sub_pull", None));

        Assert.Equal(DeliveryStatus.Failed, (await Store.GetDeliveryAsync("dlv_1", None))!.Status);
        Assert.Empty(await Feeds.ReadFeedAsync("sub_pull", FeedPosition.Start, 10, None));
    }
}
