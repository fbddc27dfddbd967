namespace WebhookSender.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Attempt_round_trips_request_response_and_error()
    {
        var attempt = ContractData.Attempt(Guid.CreateVersion7(ContractData.Start), ContractData.Start.AddTicks(3), succeeded: false) with
        {
            TenantId = "t1",
            AttemptNumber = 3,
            Trigger = AttemptTrigger.Manual,
            Duration = TimeSpan.FromTicks(1_234_567),
            Request = new AttemptRequest(
                "PUT",
                "https://receiver.example/hooks?a=1",
                new Dictionary<string, string> { ["content-type"] = "application/json", ["authorization"] = "[redacted]" },
                "{\"id\":\"msg_1\"}",
                BodyTruncated: true),
            Response = new AttemptResponse(503, new Dictionary<string, string> { ["retry-after"] = "30" }, "busy", BodyTruncated: false),
            Error = "The endpoint answered 503 Service Unavailable.",
            Warnings = ["The mapped field 'order' is missing from the event."],
        };

        await Store.AddAttemptAsync(attempt, None);
        var page = await Store.ListAttemptsAsync(new AttemptQuery { DeliveryId = "dlv_1" }, None);

        var stored = Assert.Single(page.Items);
        Assert.Equal(Json(attempt), Json(stored));
        Assert.Equal(attempt.Id, stored.Id);
        Assert.Equal(Json(attempt), Json((await Store.GetAttemptAsync(attempt.Id, None))!));
        Assert.Null(await Store.GetAttemptAsync(Guid.CreateVersion7(ContractData.Start), None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AddAttemptAsync(attempt, None));
    }

    [Fact]
    public async Task Paging_through_three_pages_returns_every_attempt_once_newest_first()
    {
        // Pairs of attempts share a start time, so the id decides between them.
        var attempts = Enumerable.Range(0, 25)
            .Select(i => ContractData.Attempt(Guid.NewGuid(), ContractData.Start.AddSeconds(i / 2)))
            .ToList();
        foreach (var attempt in attempts.OrderBy(_ => Random.Shared.Next()))
        {
            await Store.AddAttemptAsync(attempt, None);
        }

        var pages = new List<WebhookPage<DeliveryAttempt>>();
        string? cursor = null;
        do
        {
            var page = await Store.ListAttemptsAsync(new AttemptQuery { Limit = 10, Cursor = cursor }, None);
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
        for (int i = 0; i < 4; i++)
        {
            await Store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), ContractData.Start.AddSeconds(i)), None);
        }

        var first = await Store.ListAttemptsAsync(new AttemptQuery { Limit = 2 }, None);
        await Store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), ContractData.Start.AddSeconds(10)), None);
        var second = await Store.ListAttemptsAsync(new AttemptQuery { Limit = 2, Cursor = first.NextCursor }, None);

        Assert.Equal([ContractData.Start.AddSeconds(3), ContractData.Start.AddSeconds(2)], first.Items.Select(a => a.StartedAt));
        Assert.Equal([ContractData.Start.AddSeconds(1), ContractData.Start], second.Items.Select(a => a.StartedAt));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task Attempt_filters_apply_with_since_inclusive_and_until_exclusive()
    {
        await Store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), ContractData.Start, "sub_a"), None);
        await Store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), ContractData.Start.AddMinutes(1), "sub_a", succeeded: false), None);
        await Store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), ContractData.Start.AddMinutes(2), "sub_b"), None);
        await Store.AddAttemptAsync(ContractData.Attempt(Guid.NewGuid(), ContractData.Start.AddMinutes(3), "sub_a"), None);

        var bySubscription = await Store.ListAttemptsAsync(new AttemptQuery { SubscriptionId = "sub_a", Succeeded = true }, None);
        var window = await Store.ListAttemptsAsync(new AttemptQuery { Since = ContractData.Start.AddMinutes(1), Until = ContractData.Start.AddMinutes(3) }, None);
        var failed = await Store.ListAttemptsAsync(new AttemptQuery { Succeeded = false }, None);

        Assert.Equal([ContractData.Start.AddMinutes(3), ContractData.Start], bySubscription.Items.Select(a => a.StartedAt));
        Assert.Equal([ContractData.Start.AddMinutes(2), ContractData.Start.AddMinutes(1)], window.Items.Select(a => a.StartedAt));
        Assert.Equal([ContractData.Start.AddMinutes(1)], failed.Items.Select(a => a.StartedAt));
    }

    [Fact]
    public async Task A_cursor_from_the_delivery_list_is_refused_by_the_attempt_list()
    {
        await Store.AddMessageAsync(ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1"), ContractData.Delivery("dlv_2", "msg_1")], None);
        var deliveries = await Store.ListDeliveriesAsync(new DeliveryQuery { Limit = 1 }, None);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.ListAttemptsAsync(new AttemptQuery { Cursor = deliveries.NextCursor }, None));

        Assert.Equal("query", error.ParamName);
    }
}
