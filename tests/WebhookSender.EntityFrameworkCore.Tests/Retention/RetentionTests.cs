using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;
using static WebhookSender.StoreContract.ContractData;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore.Tests.Retention;

public sealed class RetentionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Succeeded_deliveries_go_after_their_retention_and_failed_ones_are_kept_longer()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        var clock = new FakeTimeProvider(Start);
        await using var provider = StoreServices.Build(database, clock, o =>
        {
            o.SucceededRetention = TimeSpan.FromDays(1);
            o.FailedRetention = TimeSpan.FromDays(7);
        });
        var store = provider.GetRequiredService<IWebhookStore>();
        var queue = provider.GetRequiredService<IDeliveryQueue>();
        var cleanup = provider.GetRequiredService<RetentionCleanup>();

        await store.AddMessageAsync(Message("msg_ok"), [Delivery("dlv_ok", "msg_ok")], None);
        await store.AddMessageAsync(Message("msg_failed"), [Delivery("dlv_failed", "msg_failed")], None);
        await store.AddMessageAsync(Message("msg_pending"), [Delivery("dlv_pending", "msg_pending", dueAt: Start.AddDays(30))], None);
        await store.AddMessageAsync(Message("msg_mixed"), [Delivery("dlv_mixed_ok", "msg_mixed"), Delivery("dlv_mixed_failed", "msg_mixed")], None);
        foreach (var lease in await queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None))
        {
            bool ok = lease.Delivery.Id.EndsWith("ok", StringComparison.Ordinal);
            await store.AddAttemptAsync(Attempt(Guid.NewGuid(), Start) with { DeliveryId = lease.Delivery.Id, MessageId = lease.Delivery.MessageId, Succeeded = ok }, None);
            var done = lease.Delivery with { Status = ok ? DeliveryStatus.Succeeded : DeliveryStatus.Failed, CompletedAt = clock.GetUtcNow() };
            Assert.True(await queue.CompleteAsync(lease, done, None));
        }

        Assert.Equal((0, 0, 0), await cleanup.RunOnceAsync(None));

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        Assert.Equal((2, 0, 1), await cleanup.RunOnceAsync(None));
        Assert.Null(await store.GetDeliveryAsync("dlv_ok", None));
        Assert.Null(await store.GetMessageAsync("msg_ok", None));
        Assert.Empty((await store.ListAttemptsAsync(new AttemptQuery { DeliveryId = "dlv_ok" }, None)).Items);
        Assert.NotNull(await store.GetDeliveryAsync("dlv_failed", None));
        Assert.Single((await store.ListAttemptsAsync(new AttemptQuery { DeliveryId = "dlv_failed" }, None)).Items);
        Assert.NotNull(await store.GetMessageAsync("msg_mixed", None));

        clock.Advance(TimeSpan.FromDays(6));
        Assert.Equal((0, 2, 2), await cleanup.RunOnceAsync(None));
        Assert.Null(await store.GetDeliveryAsync("dlv_failed", None));
        Assert.Null(await store.GetMessageAsync("msg_mixed", None));
        Assert.Empty((await store.ListAttemptsAsync(new AttemptQuery(), None)).Items);

        // Pending work is never touched, however old.
        Assert.NotNull(await store.GetDeliveryAsync("dlv_pending", None));
        Assert.NotNull(await store.GetMessageAsync("msg_pending", None));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Batches_walk_by_creation_time_past_deliveries_kept_longer_and_one_that_finished_late(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(Start);
        await using var services = StoreServices.Build(database, clock, o =>
        {
            o.SucceededRetention = TimeSpan.FromDays(1);
            o.FailedRetention = TimeSpan.FromDays(7);
            o.CleanupBatchSize = 1;
        });
        var store = services.GetRequiredService<IWebhookStore>();
        var queue = services.GetRequiredService<IDeliveryQueue>();
        var cleanup = services.GetRequiredService<RetentionCleanup>();

        // Created in this order; the last one is retried for a day before it succeeds.
        string[] ids = ["dlv_a_failed", "dlv_b_ok", "dlv_c_failed", "dlv_d_ok", "dlv_e_ok"];
        for (int i = 0; i < ids.Length; i++)
        {
            await store.AddMessageAsync(Message($"msg_{i}"), [Delivery(ids[i], $"msg_{i}", createdAt: Start.AddSeconds(i - ids.Length))], None);
        }

        var leases = await queue.LeaseAsync(10, TimeSpan.FromDays(2), None);
        Assert.Equal(ids.Length, leases.Count);
        foreach (var lease in leases.Where(l => l.Delivery.Id != "dlv_e_ok"))
        {
            var status = lease.Delivery.Id.EndsWith("ok", StringComparison.Ordinal) ? DeliveryStatus.Succeeded : DeliveryStatus.Failed;
            Assert.True(await queue.CompleteAsync(lease, lease.Delivery with { Status = status, CompletedAt = clock.GetUtcNow() }, None));
        }

        clock.Advance(TimeSpan.FromDays(1));
        var late = leases.Single(l => l.Delivery.Id == "dlv_e_ok");
        Assert.True(await queue.CompleteAsync(late, late.Delivery with { Status = DeliveryStatus.Succeeded, CompletedAt = clock.GetUtcNow() }, None));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await cleanup.RunOnceAsync(None)).Succeeded);
        Assert.Null(await store.GetDeliveryAsync("dlv_b_ok", None));
        Assert.Null(await store.GetDeliveryAsync("dlv_d_ok", None));
        Assert.NotNull(await store.GetDeliveryAsync("dlv_a_failed", None));
        Assert.NotNull(await store.GetDeliveryAsync("dlv_c_failed", None));

        // Created before the cutoff, finished after it: kept until a day after it finished.
        Assert.NotNull(await store.GetDeliveryAsync("dlv_e_ok", None));
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, (await cleanup.RunOnceAsync(None)).Succeeded);
        Assert.Null(await store.GetDeliveryAsync("dlv_e_ok", None));
    }

    [Fact]
    public async Task The_hosted_cleanup_runs_by_itself()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await EfTestHost.StartAsync(database, store: o =>
        {
            o.SucceededRetention = TimeSpan.FromMilliseconds(100);
            o.CleanupInterval = TimeSpan.FromSeconds(1);
        });
        await host.SubscribeAsync(receiver.UrlFor("/hooks"));

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await receiver.WaitForAsync(all => all.Count == 1, TimeSpan.FromSeconds(10));

        await Eventually.WaitForAsync(() => host.Store.GetMessageAsync(published.MessageId, None), message => message is null, "retention to remove the delivered message");
        Assert.Empty(await host.AllDeliveriesAsync());
    }

    [Fact]
    public void Failed_retention_shorter_than_succeeded_retention_fails_start_up()
    {
        var services = new ServiceCollection();
        services.AddDbContext<TestDbContext>(o => o.UseSqliteInMemory());
        services.AddWebhooks().AddEntityFrameworkStore<TestDbContext>(o =>
        {
            o.SucceededRetention = TimeSpan.FromDays(7);
            o.FailedRetention = TimeSpan.FromDays(1);
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EntityFrameworkStoreOptions>>().Value);

        Assert.Contains("FailedRetention", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_messages_nobody_read_within_their_retention_fail_and_then_go_with_the_failed_ones()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        var clock = new FakeTimeProvider(Start);
        await using var provider = StoreServices.Build(database, clock, o =>
        {
            o.UnreadRetention = TimeSpan.FromDays(3);
            o.FailedRetention = TimeSpan.FromDays(7);
        });
        var store = provider.GetRequiredService<IWebhookStore>();
        var feeds = provider.GetRequiredService<IWebhookFeedStore>();
        var cleanup = provider.GetRequiredService<RetentionCleanup>();
        await store.AddMessageAsync(Message("msg_old"), [Delivery("dlv_old", "msg_old", subscriptionId: "sub_pull", status: DeliveryStatus.Unread)], None);
        await store.AddMessageAsync(Message("msg_new", createdAt: Start.AddDays(2)), [Delivery("dlv_new", "msg_new", subscriptionId: "sub_pull", createdAt: Start.AddDays(2), status: DeliveryStatus.Unread)], None);

        clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromSeconds(1));
        await cleanup.RunOnceAsync(None);

        var expired = (await store.GetDeliveryAsync("dlv_old", None))!;
        Assert.Equal((DeliveryStatus.Failed, clock.GetUtcNow()), (expired.Status, expired.CompletedAt));
        Assert.Equal(["dlv_new"], (await feeds.ReadFeedAsync("sub_pull", FeedPosition.Start, 10, None)).Select(e => e.Delivery.Id));

        // Failed now, it goes after the failed retention like any failed delivery.
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        Assert.Equal((0, 1, 1), await cleanup.RunOnceAsync(None));
        Assert.Null(await store.GetDeliveryAsync("dlv_old", None));
        Assert.Equal(DeliveryStatus.Failed, (await store.GetDeliveryAsync("dlv_new", None))!.Status);
    }
}

internal static class SqliteOptions
{
    public static Microsoft.EntityFrameworkCore.DbContextOptionsBuilder UseSqliteInMemory(this Microsoft.EntityFrameworkCore.DbContextOptionsBuilder options) =>
        Microsoft.EntityFrameworkCore.SqliteDbContextOptionsBuilderExtensions.UseSqlite(options, "Data Source=:memory:");
}
