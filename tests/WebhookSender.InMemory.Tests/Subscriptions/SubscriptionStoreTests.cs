namespace WebhookSender.InMemory.Tests.Subscriptions;

public sealed class SubscriptionStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Find_honours_tenant_explicit_types_wildcards_and_inactive_subscriptions()
    {
        var store = TestData.Store(TestData.Clock());
        await AddAllAsync(
            store,
            TestData.Subscription("sub_c_explicit", "t1", ["order.created", "order.paid"]),
            TestData.Subscription("sub_b_star", "t1", ["*"]),
            TestData.Subscription("sub_a_empty", "t1", []),
            TestData.Subscription("sub_d_other_tenant", "t2", ["order.created"]),
            TestData.Subscription("sub_e_no_tenant", null, ["order.created"]),
            TestData.Subscription("sub_f_inactive", "t1", ["order.created"], isActive: false),
            TestData.Subscription("sub_g_other_type", "t1", ["invoice.paid"]));

        Assert.Equal(["sub_a_empty", "sub_b_star", "sub_c_explicit"], await FindAsync(store, "order.created", "t1"));
        Assert.Equal(["sub_a_empty", "sub_b_star", "sub_g_other_type"], await FindAsync(store, "invoice.paid", "t1"));
        Assert.Equal(["sub_e_no_tenant"], await FindAsync(store, "order.created", null));
        Assert.Equal(["sub_d_other_tenant"], await FindAsync(store, "order.created", "t2"));
        Assert.Empty(await FindAsync(store, "invoice.paid", "t2"));
        Assert.Empty(await FindAsync(store, "Order.Created", "t2"));
    }

    [Fact]
    public async Task Find_follows_updates_and_deletes()
    {
        var store = TestData.Store(TestData.Clock());
        await AddAllAsync(
            store,
            TestData.Subscription("sub_1", "t1", ["order.created"]),
            TestData.Subscription("sub_2", "t1", ["*"]),
            TestData.Subscription("sub_3", "t1", ["invoice.paid"]),
            TestData.Subscription("sub_4", "t1", ["order.created"], isActive: false));

        var sub1 = (await store.GetSubscriptionAsync("sub_1", None))!;
        await store.UpdateSubscriptionAsync(sub1 with { IsActive = false }, None);
        await store.DeleteSubscriptionAsync("sub_2", None);
        var sub3 = (await store.GetSubscriptionAsync("sub_3", None))!;
        await store.UpdateSubscriptionAsync(sub3 with { EventTypes = ["invoice.paid", "order.created"] }, None);
        var sub4 = (await store.GetSubscriptionAsync("sub_4", None))!;
        await store.UpdateSubscriptionAsync(sub4 with { IsActive = true, TenantId = "t2" }, None);

        Assert.Equal(["sub_3"], await FindAsync(store, "order.created", "t1"));
        Assert.Equal(["sub_4"], await FindAsync(store, "order.created", "t2"));
        Assert.Equal(["sub_3"], await FindAsync(store, "invoice.paid", "t1"));
    }

    [Fact]
    public async Task Update_requires_the_stored_version_and_increments_it()
    {
        var store = TestData.Store(TestData.Clock());
        var original = TestData.Subscription("sub_1", "t1");
        await store.AddSubscriptionAsync(original, None);

        var first = await store.UpdateSubscriptionAsync(original with { Name = "first" }, None);
        var stale = await store.UpdateSubscriptionAsync(original with { Name = "stale" }, None);
        var missing = await store.UpdateSubscriptionAsync(original with { Id = "sub_missing" }, None);

        Assert.NotNull(first);
        Assert.Equal(1, first.Version);
        Assert.Null(stale);
        Assert.Null(missing);
        var stored = await store.GetSubscriptionAsync("sub_1", None);
        Assert.Equal("first", stored!.Name);
        Assert.Equal(1, stored.Version);
        Assert.Equal("second", (await store.UpdateSubscriptionAsync(stored with { Name = "second" }, None))!.Name);
    }

    [Fact]
    public async Task Add_refuses_a_duplicate_id_and_delete_reports_whether_it_existed()
    {
        var store = TestData.Store(TestData.Clock());
        await store.AddSubscriptionAsync(TestData.Subscription("sub_1", "t1"), None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddSubscriptionAsync(TestData.Subscription("sub_1", "t2"), None));
        Assert.Equal("t1", (await store.GetSubscriptionAsync("sub_1", None))!.TenantId);
        Assert.True(await store.DeleteSubscriptionAsync("sub_1", None));
        Assert.False(await store.DeleteSubscriptionAsync("sub_1", None));
        Assert.Null(await store.GetSubscriptionAsync("sub_1", None));
        Assert.Empty(await FindAsync(store, "order.created", "t1"));
    }

    [Fact]
    public async Task List_pages_by_id_and_filters_by_tenant()
    {
        var store = TestData.Store(TestData.Clock());
        await AddAllAsync(
            store,
            TestData.Subscription("sub_5", "t1"),
            TestData.Subscription("sub_2", "t2"),
            TestData.Subscription("sub_4", "t2"),
            TestData.Subscription("sub_1", "t1"),
            TestData.Subscription("sub_3", "t1"));

        var ids = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await store.ListSubscriptionsAsync(new SubscriptionQuery { Limit = 2, Cursor = cursor }, None);
            ids.AddRange(page.Items.Select(s => s.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        var tenant = await store.ListSubscriptionsAsync(new SubscriptionQuery { TenantId = "t1", Limit = 2 }, None);
        var tenantNext = await store.ListSubscriptionsAsync(new SubscriptionQuery { TenantId = "t1", Limit = 2, Cursor = tenant.NextCursor }, None);

        Assert.Equal(["sub_1", "sub_2", "sub_3", "sub_4", "sub_5"], ids);
        Assert.Equal(3, pages);
        Assert.Equal(["sub_1", "sub_3"], tenant.Items.Select(s => s.Id));
        Assert.Equal(["sub_5"], tenantNext.Items.Select(s => s.Id));
        Assert.Null(tenantNext.NextCursor);
        Assert.Empty((await store.ListSubscriptionsAsync(new SubscriptionQuery { TenantId = "t3" }, None)).Items);
    }

    private static async Task AddAllAsync(InMemoryWebhookStore store, params WebhookSubscription[] subscriptions)
    {
        foreach (var subscription in subscriptions)
        {
            await store.AddSubscriptionAsync(subscription, None);
        }
    }

    private static async Task<string[]> FindAsync(InMemoryWebhookStore store, string eventType, string? tenantId) =>
        [.. (await store.FindSubscriptionsAsync(eventType, tenantId, None)).Select(s => s.Id)];
}
