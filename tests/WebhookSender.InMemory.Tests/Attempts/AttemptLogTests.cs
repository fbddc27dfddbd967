using WebhookSender.StoreContract;

namespace WebhookSender.InMemory.Tests.Attempts;

public sealed class AttemptLogTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Filters_apply_with_since_inclusive_and_until_exclusive()
    {
        var store = TestData.Store(TestData.Clock());
        await store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), TestData.Start, "sub_a"), None);
        await store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), TestData.Start.AddMinutes(1), "sub_a", succeeded: false), None);
        await store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), TestData.Start.AddMinutes(2), "sub_b"), None);
        await store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), TestData.Start.AddMinutes(3), "sub_a"), None);

        var bySubscription = await store.ListAttemptsAsync(new AttemptQuery { SubscriptionId = "sub_a", Succeeded = true }, None);
        var window = await store.ListAttemptsAsync(new AttemptQuery { Since = TestData.Start.AddMinutes(1), Until = TestData.Start.AddMinutes(3) }, None);
        var clamped = await store.ListAttemptsAsync(new AttemptQuery { Limit = 0 }, None);

        Assert.Equal([TestData.Start.AddMinutes(3), TestData.Start], bySubscription.Items.Select(a => a.StartedAt));
        Assert.Equal([TestData.Start.AddMinutes(2), TestData.Start.AddMinutes(1)], window.Items.Select(a => a.StartedAt));
        Assert.Single(clamped.Items);
        Assert.NotNull(clamped.NextCursor);
    }

    [Fact]
    public async Task The_log_is_a_window_that_drops_the_oldest_attempt()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxAttempts = 3);
        foreach (int minute in new[] { 2, 0, 4, 1, 3 })
        {
            await store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), TestData.Start.AddMinutes(minute)), None);
        }

        var page = await store.ListAttemptsAsync(new AttemptQuery(), None);

        Assert.Equal([4, 3, 2], page.Items.Select(a => (int)(a.StartedAt - TestData.Start).TotalMinutes));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task A_cursor_from_the_delivery_list_is_refused()
    {
        var store = TestData.Store(TestData.Clock());
        await store.AddMessageAsync(ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1"), ContractData.Delivery("dlv_2", "msg_1")], None);
        var deliveries = await store.ListDeliveriesAsync(new DeliveryQuery { Limit = 1 }, None);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.ListAttemptsAsync(new AttemptQuery { Cursor = deliveries.NextCursor }, None));

        Assert.Equal("query", error.ParamName);
    }
}
