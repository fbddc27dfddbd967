using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using static WebhookSender.StoreContract.ContractData;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore.Tests.Resilience;

/// <summary>Hosts often enable retries on failure; the store's own transactions must run under that strategy.</summary>
public sealed class RetryingExecutionStrategyTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_store_works_on_a_context_that_retries_on_failure()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<TestDbContext>(o => o.UseNpgsql(database.ConnectionString, npgsql => npgsql.EnableRetryOnFailure()));
        services.AddWebhooks().AddEntityFrameworkStore<TestDbContext>(o => o.SucceededRetention = TimeSpan.FromMilliseconds(1));
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IWebhookStore>();
        var queue = provider.GetRequiredService<IDeliveryQueue>();

        await store.AddSubscriptionAsync(Subscription("sub_1", "t1", ["order.created"]), None);
        var updated = await store.UpdateSubscriptionAsync(Subscription("sub_1", "t1", ["order.updated"]), None);
        Assert.Equal(1, updated!.Version);
        Assert.Equal(["sub_1"], (await store.FindSubscriptionsAsync("order.updated", "t1", None)).Select(s => s.Id));

        await store.AddMessageAsync(Message("msg_1"), [Delivery("dlv_1", "msg_1", dueAt: DateTimeOffset.UtcNow.AddMinutes(-1))], None);
        var lease = Assert.Single(await queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        Assert.True(await queue.CompleteAsync(lease, lease.Delivery with { Status = DeliveryStatus.Succeeded, CompletedAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, None));
        var removed = await provider.GetRequiredService<RetentionCleanup>().RunOnceAsync(None);

        Assert.Equal(1, removed.Succeeded);
        Assert.True(await store.DeleteSubscriptionAsync("sub_1", None));
    }
}
