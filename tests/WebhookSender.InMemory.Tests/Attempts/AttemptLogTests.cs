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

    [Fact]
    public async Task Attempts_finishing_out_of_order_page_newest_first_and_are_found_by_id_as_the_window_wraps()
    {
        // Attempts in flight together finish in another order than they started: each batch of five arrives reversed.
        var store = TestData.Store(TestData.Clock(), o => o.MaxAttempts = 20);
        var ids = new Dictionary<int, Guid>();
        for (int batch = 0; batch < 20; batch++)
        {
            for (int second = 4; second >= 0; second--)
            {
                int at = (batch * 5) + second;
                ids[at] = Guid.NewGuid();
                await store.AddAttemptAsync(ContractData.Attempt(ids[at], TestData.Start.AddSeconds(at)), None);
            }
        }

        var seen = new List<int>();
        string? cursor = null;
        do
        {
            var page = await store.ListAttemptsAsync(new AttemptQuery { Limit = 7, Cursor = cursor }, None);
            seen.AddRange(page.Items.Select(a => (int)(a.StartedAt - TestData.Start).TotalSeconds));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(80, 20).Reverse(), seen);
        Assert.Equal(TestData.Start.AddSeconds(85), (await store.GetAttemptAsync(ids[85], None))?.StartedAt);
        Assert.Null(await store.GetAttemptAsync(ids[79], None));
        var since = await store.ListAttemptsAsync(new AttemptQuery { Since = TestData.Start.AddSeconds(95), Until = TestData.Start.AddSeconds(98) }, None);
        Assert.Equal([97, 96, 95], since.Items.Select(a => (int)(a.StartedAt - TestData.Start).TotalSeconds));
    }

    [Fact]
    public async Task An_attempt_reads_back_with_every_field_it_was_logged_with()
    {
        var store = TestData.Store(TestData.Clock());
        var startedAt = new DateTimeOffset(2026, 12, 4, 10, 30, 0, TimeSpan.FromHours(2)).AddTicks(1234);
        var logged = ContractData.Attempt(Guid.NewGuid(), startedAt, succeeded: false) with
        {
            DeliveryId = "dlv_0193a4b2c3d4e5f60718293a4b5c6d7e",
            TenantId = "acme",
            AttemptNumber = 3,
            Trigger = AttemptTrigger.Manual,
            Duration = TimeSpan.FromTicks(98_765),
            Request = new AttemptRequest("PUT", "http://127.0.0.1:5000/hooks?a=1", new Dictionary<string, string> { ["webhook-id"] = "msg_1", ["Content-Type"] = "application/json" }, "{\"é\":1}", BodyTruncated: true),
            Response = new AttemptResponse(503, new Dictionary<string, string> { ["Retry-After"] = "30" }, "busy \ud800", BodyTruncated: true),
            Error = "The endpoint answered 503 ünavailable \udc00.",
            Warnings = ["slow", "redirect ignored"],
        };
        await store.AddAttemptAsync(logged, None);

        var read = await store.GetAttemptAsync(logged.Id, None);

        Assert.NotNull(read);
        Assert.Equal(logged with { Request = read.Request, Response = read.Response, Warnings = read.Warnings }, read);
        Assert.Equal(startedAt.Offset, read.StartedAt.Offset);
        Assert.Equal((logged.Request.Method, logged.Request.Url, logged.Request.Body, true), (read.Request.Method, read.Request.Url, read.Request.Body, read.Request.BodyTruncated));
        Assert.Equal(logged.Request.Headers.OrderBy(h => h.Key), read.Request.Headers.OrderBy(h => h.Key));
        Assert.Equal("application/json", read.Request.Headers["content-type"]);
        Assert.Equal((503, "busy \ud800", true), (read.Response!.StatusCode, read.Response.Body, read.Response.BodyTruncated));
        Assert.Equal("30", read.Response.Headers["Retry-After"]);
        Assert.Equal(logged.Warnings, read.Warnings);
        var byDelivery = await store.ListAttemptsAsync(new AttemptQuery { DeliveryId = logged.DeliveryId, TenantId = "acme", Succeeded = false }, None);
        Assert.Equal(logged.Id, Assert.Single(byDelivery.Items).Id);
        Assert.Empty((await store.ListAttemptsAsync(new AttemptQuery { DeliveryId = "dlv_1" }, None)).Items);
    }
}
