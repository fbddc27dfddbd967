using WebhookSender.Storage;
using static WebhookSender.StoreContract.ContractData;

namespace WebhookSender.InMemory.Tests.Feeds;

/// <summary>Pull messages nobody reads, on the in-memory store: bounded by <see cref="InMemoryStoreOptions.UnreadRetention"/>.</summary>
public sealed class UnreadRetentionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static WebhookDelivery Unread(string id, string messageId, DateTimeOffset createdAt) =>
        Delivery(id, messageId, subscriptionId: "sub_pull", createdAt: createdAt, status: DeliveryStatus.Unread);

    [Fact]
    public async Task Unread_messages_past_their_retention_fail_and_free_their_room_for_new_publishes()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock, o =>
        {
            o.MaxPendingDeliveries = 2;
            o.UnreadRetention = TimeSpan.FromDays(1);
        });
        await store.AddMessageAsync(Message("msg_1"), [Unread("dlv_1", "msg_1", Start)], None);
        clock.Advance(TimeSpan.FromHours(12));
        await store.AddMessageAsync(Message("msg_2", createdAt: clock.GetUtcNow()), [Unread("dlv_2", "msg_2", clock.GetUtcNow())], None);

        // Full: nobody read them.
        await Assert.ThrowsAsync<WebhookCapacityExceededException>(() =>
            store.AddMessageAsync(Message("msg_3", createdAt: clock.GetUtcNow()), [Unread("dlv_3", "msg_3", clock.GetUtcNow())], None));

        // A day after the first, it fails; the second is younger and stays.
        clock.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(2));
        Assert.Equal(["dlv_2"], (await store.ReadFeedAsync("sub_pull", FeedPosition.Start, 10, None)).Select(e => e.Delivery.Id));
        var expired = (await store.GetDeliveryAsync("dlv_1", None))!;
        Assert.Equal((DeliveryStatus.Failed, clock.GetUtcNow()), (expired.Status, expired.CompletedAt));
        await store.AddMessageAsync(Message("msg_3", createdAt: clock.GetUtcNow()), [Unread("dlv_3", "msg_3", clock.GetUtcNow())], None);
        Assert.Equal(new WebhookFeedBacklog(2, Start.AddHours(12)), await store.GetFeedBacklogAsync("sub_pull", None));
    }

    [Fact]
    public async Task Without_a_retention_unread_messages_wait_for_their_reader_and_a_bad_one_is_refused()
    {
        var clock = TestData.Clock();
        var store = TestData.Store(clock);
        await store.AddMessageAsync(Message("msg_1"), [Unread("dlv_1", "msg_1", Start)], None);

        clock.Advance(TimeSpan.FromDays(365));

        Assert.Single(await store.ReadFeedAsync("sub_pull", FeedPosition.Start, 10, None));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TestData.Store(clock, o => o.UnreadRetention = TimeSpan.Zero));
        Assert.Contains("UnreadRetention must be positive", error.Message, StringComparison.Ordinal);
    }
}
