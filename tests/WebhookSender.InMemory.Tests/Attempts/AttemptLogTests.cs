namespace WebhookSender.InMemory.Tests.Attempts;

public sealed class AttemptLogTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Paging_through_three_pages_returns_every_attempt_once_newest_first()
    {
        var store = TestData.Store(TestData.Clock());
        // Pairs of attempts share a start time, so the id decides between them.
        var attempts = Enumerable.Range(0, 25)
            .Select(i => TestData.Attempt(Guid.NewGuid(), TestData.Start.AddSeconds(i / 2)))
            .ToList();
        foreach (var attempt in attempts.OrderBy(_ => Random.Shared.Next()))
        {
            await store.AddAttemptAsync(attempt, None);
        }

        var pages = new List<WebhookPage<DeliveryAttempt>>();
        string? cursor = null;
        do
        {
            var page = await store.ListAttemptsAsync(new AttemptQuery { Limit = 10, Cursor = cursor }, None);
            pages.Add(page);
            cursor = page.NextCursor;
        }
        while (cursor is not null && pages.Count < 10);

        var expected = attempts.OrderByDescending(a => a.StartedAt).ThenByDescending(a => a.Id).Select(a => a.Id);
        Assert.Equal([10, 10, 5], pages.Select(p => p.Items.Count));
        Assert.Equal(expected, pages.SelectMany(p => p.Items).Select(a => a.Id));
    }

    [Fact]
    public async Task A_cursor_continues_after_its_item_when_newer_attempts_arrive_between_pages()
    {
        var store = TestData.Store(TestData.Clock());
        for (int i = 0; i < 4; i++)
        {
            await store.AddAttemptAsync(TestData.Attempt(Guid.NewGuid(), TestData.Start.AddSeconds(i)), None);
        }

        var first = await store.ListAttemptsAsync(new AttemptQuery { Limit = 2 }, None);
        await store.AddAttemptAsync(TestData.Attempt(Guid.NewGuid(), TestData.Start.AddSeconds(10)), None);
        var second = await store.ListAttemptsAsync(new AttemptQuery { Limit = 2, Cursor = first.NextCursor }, None);

        Assert.Equal([TestData.Start.AddSeconds(3), TestData.Start.AddSeconds(2)], first.Items.Select(a => a.StartedAt));
        Assert.Equal([TestData.Start.AddSeconds(1), TestData.Start], second.Items.Select(a => a.StartedAt));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task Filters_apply_with_since_inclusive_and_until_exclusive()
    {
        var store = TestData.Store(TestData.Clock());
        await store.AddAttemptAsync(TestData.Attempt(Guid.NewGuid(), TestData.Start, "sub_a"), None);
        await store.AddAttemptAsync(TestData.Attempt(Guid.NewGuid(), TestData.Start.AddMinutes(1), "sub_a", succeeded: false), None);
        await store.AddAttemptAsync(TestData.Attempt(Guid.NewGuid(), TestData.Start.AddMinutes(2), "sub_b"), None);
        await store.AddAttemptAsync(TestData.Attempt(Guid.NewGuid(), TestData.Start.AddMinutes(3), "sub_a"), None);

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
            await store.AddAttemptAsync(TestData.Attempt(Guid.NewGuid(), TestData.Start.AddMinutes(minute)), None);
        }

        var page = await store.ListAttemptsAsync(new AttemptQuery(), None);

        Assert.Equal([4, 3, 2], page.Items.Select(a => (int)(a.StartedAt - TestData.Start).TotalMinutes));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task A_cursor_from_the_delivery_list_is_refused()
    {
        var store = TestData.Store(TestData.Clock());
        await store.AddMessageAsync(TestData.Message("msg_1"), [TestData.Delivery("dlv_1", "msg_1"), TestData.Delivery("dlv_2", "msg_1")], None);
        var deliveries = await store.ListDeliveriesAsync(new DeliveryQuery { Limit = 1 }, None);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.ListAttemptsAsync(new AttemptQuery { Cursor = deliveries.NextCursor }, None));

        Assert.Equal("query", error.ParamName);
    }
}
