using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Tests.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Dispatching;

public class SubscriptionCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Reads_once_within_its_duration_and_again_after_a_change()
    {
        var clock = new FakeTimeProvider(Now);
        var store = new InMemory.InMemoryWebhookStore(clock, Options.Create(new InMemory.InMemoryStoreOptions()));
        var options = Options.Create(new WebhookOptions { SubscriptionCacheDuration = TimeSpan.FromSeconds(1) });
        var cache = new SubscriptionCache(store, options, clock);
        var subscription = new WebhookSubscription
        {
            Id = "sub_1", Url = new Uri("https://receiver.example/hooks"), EventTypes = ["*"],
            Secrets = [new WebhookSecret { Value = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt = Now }], CreatedAt = Now, UpdatedAt = Now,
        };
        await store.AddSubscriptionAsync(subscription, default);

        Assert.Equal(new Uri("https://receiver.example/hooks"), (await cache.GetAsync("sub_1", default))!.Url);
        var moved = (await store.GetSubscriptionAsync("sub_1", default))! with { Url = new Uri("https://receiver.example/moved") };
        await store.UpdateSubscriptionAsync(moved, default);
        Assert.Equal(new Uri("https://receiver.example/hooks"), (await cache.GetAsync("sub_1", default))!.Url);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new Uri("https://receiver.example/moved"), (await cache.GetAsync("sub_1", default))!.Url);

        await store.UpdateSubscriptionAsync((await store.GetSubscriptionAsync("sub_1", default))! with { Url = new Uri("https://receiver.example/again") }, default);
        cache.Invalidate("sub_1");
        Assert.Equal(new Uri("https://receiver.example/again"), (await cache.GetAsync("sub_1", default))!.Url);
        Assert.Null(await cache.GetAsync("sub_gone", default));
    }

    [Fact]
    public async Task Matches_within_its_duration_and_anew_after_a_local_change_or_when_it_expires()
    {
        var clock = new FakeTimeProvider(Now);
        var store = new InMemory.InMemoryWebhookStore(clock, Options.Create(new InMemory.InMemoryStoreOptions()));
        var cache = new SubscriptionCache(store, Options.Create(new WebhookOptions()), clock);
        await store.AddSubscriptionAsync(Subscription("sub_1"), default);

        Assert.Equal(["sub_1"], (await cache.FindAsync("order.created", null, default)).Select(s => s.Id));
        await store.AddSubscriptionAsync(Subscription("sub_2"), default);
        Assert.Equal(["sub_1"], (await cache.FindAsync("order.created", null, default)).Select(s => s.Id));

        cache.Invalidate("sub_2");
        Assert.Equal(["sub_1", "sub_2"], (await cache.FindAsync("order.created", null, default)).Select(s => s.Id));

        await store.DeleteSubscriptionAsync("sub_1", default);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["sub_2"], (await cache.FindAsync("order.created", null, default)).Select(s => s.Id));
    }

    [Fact]
    public async Task Concurrent_misses_share_one_store_read_and_a_caller_that_gives_up_does_not_cancel_it_for_the_others()
    {
        var clock = new FakeTimeProvider(Now);
        var inner = new InMemory.InMemoryWebhookStore(clock, Options.Create(new InMemory.InMemoryStoreOptions()));
        await inner.AddSubscriptionAsync(Subscription("sub_1"), default);
        var (store, gated) = GatedStore.Create(inner, nameof(IWebhookStore.GetSubscriptionAsync));
        var cache = new SubscriptionCache(store, Options.Create(new WebhookOptions()), clock);

        using var impatient = new CancellationTokenSource();
        var gaveUp = cache.GetAsync("sub_1", impatient.Token).AsTask();
        var readers = Enumerable.Range(0, 20).Select(_ => cache.GetAsync("sub_1", default).AsTask()).ToList();
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);
        gated.Gate.SetResult();

        var read = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(read, s => Assert.Equal("sub_1", s!.Id));
        Assert.Equal(1, gated.Reads);
        Assert.Equal("sub_1", (await cache.GetAsync("sub_1", default))!.Id); // kept: no second read
        Assert.Equal(1, gated.Reads);
    }

    private static WebhookSubscription Subscription(string id) => new()
    {
        Id = id, Url = new Uri("https://receiver.example/hooks"), EventTypes = ["*"],
        Secrets = [new WebhookSecret { Value = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt = Now }], CreatedAt = Now, UpdatedAt = Now,
    };
}
