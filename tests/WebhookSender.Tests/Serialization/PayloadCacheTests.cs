using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Tests.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Serialization;

/// <summary>The payload builder's caches keep the messages of the work in flight, and concurrent misses read the store once.</summary>
public class PayloadCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_entry_used_since_the_last_turnover_survives_the_next_and_one_unused_is_dropped()
    {
        var cache = new RecentCache<string, string>(generationSize: 4, generationBytes: long.MaxValue, sizeOf: _ => 1, StringComparer.Ordinal);
        foreach (string key in new[] { "a", "b", "c", "d", "e" })
        {
            cache.GetOrAdd(key, key.ToUpperInvariant()); // "e" turns the full generation over
        }

        Assert.True(cache.TryGetValue("a", out _)); // in the old generation: moves back to the young one
        foreach (string key in new[] { "f", "g", "h" })
        {
            cache.GetOrAdd(key, key.ToUpperInvariant()); // "h" turns over again: b, c and d were not used since
        }

        Assert.True(cache.TryGetValue("a", out var a));
        Assert.Equal("A", a);
        Assert.False(cache.TryGetValue("b", out _));
        Assert.True(cache.TryGetValue("h", out _));
        Assert.Equal("E", cache.GetOrAdd("e", "other")); // the one kept wins over a second add
    }

    [Fact]
    public void A_generation_is_full_at_its_byte_budget_too()
    {
        // Two generations of 10 bytes: large values turn it over long before the count is reached.
        var cache = new RecentCache<string, string>(generationSize: 1000, generationBytes: 10, sizeOf: v => v.Length, StringComparer.Ordinal);
        cache.GetOrAdd("a", "aaaaaa");
        cache.GetOrAdd("b", "bbbbbb"); // 12 bytes: full
        cache.GetOrAdd("c", "cccccc"); // turns over: a and b are old now
        cache.GetOrAdd("d", "dddddd"); // 12 bytes: full
        cache.GetOrAdd("e", "eeeeee"); // turns over: a and b are dropped

        Assert.False(cache.TryGetValue("a", out _));
        Assert.False(cache.TryGetValue("b", out _));
        Assert.True(cache.TryGetValue("c", out _));
        Assert.True(cache.TryGetValue("e", out _));
    }

    [Fact]
    public async Task Large_messages_are_cached_up_to_a_byte_budget_not_a_count()
    {
        var (builder, store) = await BuilderAsync();
        store.Gate.SetResult();

        // 100 messages of 1 MiB: the old cache, bounded by count only (4,096), kept them all.
        string large = new('x', 1024 * 1024);
        for (int i = 0; i < 100; i++)
        {
            builder.Remember(Message($"msg_{i}") with { Data = JsonSerializer.SerializeToElement(new { large }) });
        }

        int kept = 0;
        for (int i = 0; i < 100; i++)
        {
            kept += builder.IsCached($"msg_{i}") ? 1 : 0;
        }

        Assert.InRange(kept, 1, 40);
    }

    [Fact]
    public async Task A_message_in_use_stays_cached_while_thousands_of_others_pass_through()
    {
        var (builder, store) = await BuilderAsync();
        store.Gate.SetResult();
        builder.Remember(Message("msg_in_use"));

        // The old cache started over when full (4,096 messages), dropping the messages of every attempt in flight.
        for (int i = 0; i < 20_000; i++)
        {
            builder.Remember(Message($"msg_{i}"));
            if (i % 100 == 0)
            {
                Assert.NotNull(await builder.GetMessageAsync("msg_in_use", default));
            }
        }

        Assert.Equal(0, store.Reads);
    }

    [Fact]
    public async Task Concurrent_misses_of_one_message_share_one_store_read()
    {
        var (builder, store) = await BuilderAsync();

        var reads = Enumerable.Range(0, 10).Select(_ => builder.GetMessageAsync("msg_stored", default).AsTask()).ToList();
        store.Gate.SetResult();

        Assert.All(await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(10)), m => Assert.Equal("msg_stored", m!.Id));
        Assert.Equal(1, store.Reads);
        Assert.NotNull(await builder.GetMessageAsync("msg_stored", default)); // kept: no second read
        Assert.Equal(1, store.Reads);
        Assert.Null(await builder.GetMessageAsync("msg_missing", default));
    }

    private static async Task<(PayloadBuilder Builder, GatedStore Store)> BuilderAsync()
    {
        var inner = new InMemory.InMemoryWebhookStore(new FakeTimeProvider(Now), Options.Create(new InMemory.InMemoryStoreOptions()));
        await inner.AddMessageAsync(Message("msg_stored"), [], default);
        var (store, gated) = GatedStore.Create(inner, nameof(IWebhookStore.GetMessageAsync));
        return (new PayloadBuilder(store, new SerializerRegistry([])), gated);
    }

    private static WebhookMessage Message(string id) => new()
    {
        Id = id, EventType = "order.created", Timestamp = Now, CreatedAt = Now, Data = JsonSerializer.SerializeToElement(new { id }),
    };
}
