namespace WebhookSender.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Subscription_round_trips_every_field()
    {
        var subscription = ContractData.Subscription("sub_1", "t1", ["order.created", "order.paid"]) with
        {
            Name = "Fulfilment",
            Description = "Ships orders",
            Url = new Uri("https://receiver.example/hooks?x=1"),
            Method = WebhookHttpMethod.Put,
            Format = "json",
            RetrySchedule = [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1)],
            ConsecutiveFailures = 3,
            FailingSince = ContractData.Start.AddMinutes(-5),
            DisabledAt = null,
            DisabledReason = "none",
            Secrets =
            [
                new WebhookSecret { Value = "whsec_" + Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()), CreatedAt = ContractData.Start },
                new WebhookSecret { Value = "whsec_" + Convert.ToBase64String(new byte[24]), CreatedAt = ContractData.Start.AddDays(-1), ExpiresAt = ContractData.Start.AddHours(1) },
            ],
            UpdatedAt = ContractData.Start.AddSeconds(1),
            Authentication = WebhookAuthentication.Basic("shop", "s3cret"),
            Headers = new Dictionary<string, string> { ["X-Tenant"] = "t1", ["X-Api-Key"] = "key" },
            Filters = new Dictionary<string, IReadOnlyList<string>> { ["campaign"] = ["42", "43"] },
            PayloadMode = WebhookPayloadMode.Mapped,
            FieldMap = new Dictionary<string, WebhookFieldSource> { ["order"] = WebhookFieldSource.FromPath("data.orderId"), ["source"] = WebhookFieldSource.FromConstant("shop") },
            Batching = new WebhookBatching { Window = TimeSpan.FromSeconds(30), MaxSize = 10 },
            Controls = new WebhookDeliveryControls
            {
                RateLimit = new WebhookRateLimit { Limit = 250, Period = TimeSpan.FromMinutes(1), Burst = 10 },
                MaxConcurrency = 2,
                FailureThreshold = 7,
                BreakDuration = TimeSpan.FromSeconds(90),
                Ordered = false,
                Quota = 25_000,
            },
            Signatures = WebhookSignatures.V1 | WebhookSignatures.V1a,
            SigningKeys =
            [
                new WebhookSigningKey { PrivateKey = "whsk_" + Convert.ToBase64String(new byte[32]), PublicKey = "whpk_" + Convert.ToBase64String(new byte[32]), CreatedAt = ContractData.Start, ExpiresAt = ContractData.Start.AddDays(1) },
            ],
            ExpiresAt = ContractData.Start.AddDays(30),
        };

        await Store.AddSubscriptionAsync(subscription, None);
        var stored = await Store.GetSubscriptionAsync("sub_1", None);

        Assert.NotNull(stored);
        Assert.Equal(Json(subscription), Json(stored));
        Assert.Null(await Store.GetSubscriptionAsync("sub_missing", None));
    }

    [Fact]
    public async Task Find_honours_tenant_explicit_types_wildcards_and_inactive_subscriptions()
    {
        await AddAllAsync(
            ContractData.Subscription("sub_c_explicit", "t1", ["order.created", "order.paid"]),
            ContractData.Subscription("sub_b_star", "t1", ["*"]),
            ContractData.Subscription("sub_a_empty", "t1", []),
            ContractData.Subscription("sub_d_other_tenant", "t2", ["order.created"]),
            ContractData.Subscription("sub_e_no_tenant", null, ["order.created"]),
            ContractData.Subscription("sub_f_inactive", "t1", ["order.created"], isActive: false),
            ContractData.Subscription("sub_g_other_type", "t1", ["invoice.paid"]));

        Assert.Equal(["sub_a_empty", "sub_b_star", "sub_c_explicit"], await FindAsync("order.created", "t1"));
        Assert.Equal(["sub_a_empty", "sub_b_star", "sub_g_other_type"], await FindAsync("invoice.paid", "t1"));
        Assert.Equal(["sub_e_no_tenant"], await FindAsync("order.created", null));
        Assert.Equal(["sub_d_other_tenant"], await FindAsync("order.created", "t2"));
        Assert.Empty(await FindAsync("invoice.paid", "t2"));
        Assert.Empty(await FindAsync("Order.Created", "t2"));
    }

    [Fact]
    public async Task Find_follows_updates_and_deletes()
    {
        await AddAllAsync(
            ContractData.Subscription("sub_1", "t1", ["order.created"]),
            ContractData.Subscription("sub_2", "t1", ["*"]),
            ContractData.Subscription("sub_3", "t1", ["invoice.paid"]),
            ContractData.Subscription("sub_4", "t1", ["order.created"], isActive: false));

        var sub1 = (await Store.GetSubscriptionAsync("sub_1", None))!;
        await Store.UpdateSubscriptionAsync(sub1 with { IsActive = false }, None);
        await Store.DeleteSubscriptionAsync("sub_2", None);
        var sub3 = (await Store.GetSubscriptionAsync("sub_3", None))!;
        await Store.UpdateSubscriptionAsync(sub3 with { EventTypes = ["invoice.paid", "order.created"] }, None);
        var sub4 = (await Store.GetSubscriptionAsync("sub_4", None))!;
        await Store.UpdateSubscriptionAsync(sub4 with { IsActive = true, TenantId = "t2" }, None);

        Assert.Equal(["sub_3"], await FindAsync("order.created", "t1"));
        Assert.Equal(["sub_4"], await FindAsync("order.created", "t2"));
        Assert.Equal(["sub_3"], await FindAsync("invoice.paid", "t1"));
    }

    [Fact]
    public async Task Update_requires_the_stored_version_and_increments_it()
    {
        var original = ContractData.Subscription("sub_1", "t1");
        await Store.AddSubscriptionAsync(original, None);

        var first = await Store.UpdateSubscriptionAsync(original with { Name = "first" }, None);
        var stale = await Store.UpdateSubscriptionAsync(original with { Name = "stale" }, None);
        var missing = await Store.UpdateSubscriptionAsync(original with { Id = "sub_missing" }, None);

        Assert.NotNull(first);
        Assert.Equal(1, first.Version);
        Assert.Null(stale);
        Assert.Null(missing);
        var stored = await Store.GetSubscriptionAsync("sub_1", None);
        Assert.Equal("first", stored!.Name);
        Assert.Equal(1, stored.Version);
        Assert.Equal("second", (await Store.UpdateSubscriptionAsync(stored with { Name = "second" }, None))!.Name);
        Assert.Equal(2, (await Store.GetSubscriptionAsync("sub_1", None))!.Version);
    }

    [Fact]
    public async Task Concurrent_updates_from_one_version_let_exactly_one_win()
    {
        var original = ContractData.Subscription("sub_1", "t1");
        await Store.AddSubscriptionAsync(original, None);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Store.UpdateSubscriptionAsync(original with { Name = $"writer {i}" }, None))));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner!.Name, (await Store.GetSubscriptionAsync("sub_1", None))!.Name);
    }

    [Fact]
    public async Task Add_refuses_a_duplicate_id_and_delete_reports_whether_it_existed()
    {
        await Store.AddSubscriptionAsync(ContractData.Subscription("sub_1", "t1"), None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AddSubscriptionAsync(ContractData.Subscription("sub_1", "t2"), None));
        Assert.Equal("t1", (await Store.GetSubscriptionAsync("sub_1", None))!.TenantId);
        Assert.True(await Store.DeleteSubscriptionAsync("sub_1", None));
        Assert.False(await Store.DeleteSubscriptionAsync("sub_1", None));
        Assert.Null(await Store.GetSubscriptionAsync("sub_1", None));
        Assert.Empty(await FindAsync("order.created", "t1"));
    }

    [Fact]
    public async Task List_pages_by_id_and_filters_by_tenant()
    {
        await AddAllAsync(
            ContractData.Subscription("sub_5", "t1"),
            ContractData.Subscription("sub_2", "t2"),
            ContractData.Subscription("sub_4", "t2"),
            ContractData.Subscription("sub_1", "t1"),
            ContractData.Subscription("sub_3", "t1"));

        var ids = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await Store.ListSubscriptionsAsync(new SubscriptionQuery { Limit = 2, Cursor = cursor }, None);
            ids.AddRange(page.Items.Select(s => s.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        var tenant = await Store.ListSubscriptionsAsync(new SubscriptionQuery { TenantId = "t1", Limit = 2 }, None);
        var tenantNext = await Store.ListSubscriptionsAsync(new SubscriptionQuery { TenantId = "t1", Limit = 2, Cursor = tenant.NextCursor }, None);

        Assert.Equal(["sub_1", "sub_2", "sub_3", "sub_4", "sub_5"], ids);
        Assert.Equal(3, pages);
        Assert.Equal(["sub_1", "sub_3"], tenant.Items.Select(s => s.Id));
        Assert.Equal(["sub_5"], tenantNext.Items.Select(s => s.Id));
        Assert.Null(tenantNext.NextCursor);
        Assert.Empty((await Store.ListSubscriptionsAsync(new SubscriptionQuery { TenantId = "t3" }, None)).Items);
    }

    [Fact]
    public async Task List_filters_by_event_type_received_and_by_active_and_pages_within_the_filter()
    {
        await AddAllAsync(
            ContractData.Subscription("sub_1", "t1", ["order.created"]),
            ContractData.Subscription("sub_2", "t1", ["order.shipped"]),
            ContractData.Subscription("sub_3", "t1", ["*"]),
            ContractData.Subscription("sub_4", "t1", ["order.created", "order.shipped"], isActive: false),
            ContractData.Subscription("sub_5", "t1"),
            ContractData.Subscription("sub_6", "t2", ["order.created"]));

        async Task<string[]> IdsAsync(SubscriptionQuery query)
        {
            var ids = new List<string>();
            string? cursor = null;
            int pages = 0;
            do
            {
                var page = await Store.ListSubscriptionsAsync(query with { Cursor = cursor, Limit = 1 }, None);
                ids.AddRange(page.Items.Select(s => s.Id));
                cursor = page.NextCursor;
            }
            while (cursor is not null && ++pages < 10);
            return [.. ids];
        }

        // Naming the type, or taking every type (a wildcard or no types at all), both receive it.
        Assert.Equal(["sub_1", "sub_3", "sub_4", "sub_5"], await IdsAsync(new SubscriptionQuery { TenantId = "t1", EventType = "order.created" }));
        Assert.Equal(["sub_1", "sub_3", "sub_5"], await IdsAsync(new SubscriptionQuery { TenantId = "t1", EventType = "order.created", IsActive = true }));
        Assert.Equal(["sub_4"], await IdsAsync(new SubscriptionQuery { TenantId = "t1", IsActive = false }));
        Assert.Equal(["sub_1", "sub_3", "sub_4", "sub_5", "sub_6"], await IdsAsync(new SubscriptionQuery { EventType = "order.created" }));
        Assert.Empty(await IdsAsync(new SubscriptionQuery { TenantId = "t2", EventType = "order.shipped" }));
    }

    private async Task AddAllAsync(params WebhookSubscription[] subscriptions)
    {
        foreach (var subscription in subscriptions)
        {
            await Store.AddSubscriptionAsync(subscription, None);
        }
    }

    private async Task<string[]> FindAsync(string eventType, string? tenantId) =>
        [.. (await Store.FindSubscriptionsAsync(eventType, tenantId, None)).Select(s => s.Id)];
}
