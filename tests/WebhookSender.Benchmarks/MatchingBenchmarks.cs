using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.Storage;

namespace WebhookSender.Benchmarks;

/// <summary>
/// Finding the subscriptions an event goes to, on the in-memory store: the store's lookup plus the publisher's expiry and
/// filter check on the candidates. The target: the cost follows the number of matching subscriptions, not the total.
/// </summary>
[MemoryDiagnoser]
public class MatchingBenchmarks
{
    private ServiceProvider _services = null!;
    private IWebhookStore _store = null!;
    private readonly DateTimeOffset _now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyDictionary<string, string> Attributes = new Dictionary<string, string> { ["region"] = "eu" };

    /// <summary>Subscriptions in the store; most take other event types or belong to other tenants.</summary>
    [Params(10, 1_000, 100_000)]
    public int Subscriptions { get; set; }

    /// <summary>How many of them take the published event: a few (one of them through <c>*</c>), or many.</summary>
    [Params(4, 100)]
    public int Matching { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _services = new ServiceCollection().AddWebhooks().AddInMemoryStore().Services.BuildServiceProvider();
        _store = _services.GetRequiredService<IWebhookStore>();
        int matching = Math.Min(Matching, Subscriptions);
        for (int i = 0; i < Subscriptions; i++)
        {
            string id = $"sub_{i:x32}";
            var subscription = i < matching
                ? BenchmarkData.Subscription(id, "tenant_a", i == 0 ? ["*"] : [BenchmarkData.EventType, "order.created"])
                : BenchmarkData.Subscription(id, i % 2 == 0 ? "tenant_a" : $"tenant_{i % 97}", [$"other.type{i % 50}", "order.created"]);
            await _store.AddSubscriptionAsync(subscription, CancellationToken.None);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public async Task<int> Match()
    {
        var candidates = await _store.FindSubscriptionsAsync(BenchmarkData.EventType, "tenant_a", CancellationToken.None);
        int matched = 0;
        foreach (var subscription in candidates)
        {
            if (subscription.IsLiveAt(_now) && subscription.Matches(Attributes))
            {
                matched++;
            }
        }

        return matched;
    }
}
