using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.Storage;

namespace WebhookSender.Benchmarks;

/// <summary>
/// <c>PublishAsync</c> of a 1 KiB event on the in-memory store, fanned out to 1 or 100 subscriptions: validation, JSON of
/// the data, matching, one message and one delivery per subscription stored atomically. The dispatcher is not running;
/// after each iteration its part is played outside the measurement (every delivery leased and completed), so the store
/// stays in a steady state, as in a host that keeps up, instead of growing with every invocation.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(512)]
public class PublishBenchmarks
{
    private ServiceProvider _services = null!;
    private IWebhookPublisher _publisher = null!;
    private IDeliveryQueue _queue = null!;
    private WebhookEvent _event = null!;

    [Params(1, 100)]
    public int FanOut { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _services = new ServiceCollection()
            .AddWebhooks()
            .AddEventType(BenchmarkData.EventType, "An order changed")
            .AddInMemoryStore(o => o.MaxRetainedMessages = 1_000)
            .Services.BuildServiceProvider();
        _publisher = _services.GetRequiredService<IWebhookPublisher>();
        _queue = _services.GetRequiredService<IDeliveryQueue>();
        var store = _services.GetRequiredService<IWebhookStore>();
        for (int i = 0; i < FanOut; i++)
        {
            await store.AddSubscriptionAsync(BenchmarkData.Subscription($"sub_{i:x32}", null, [BenchmarkData.EventType]), CancellationToken.None);
        }

        _event = new WebhookEvent(BenchmarkData.EventType, BenchmarkData.Order(1042));
    }

    [IterationCleanup]
    public void Drain()
    {
        // The dispatcher's part: take every delivery and complete it. The one-tick lease makes the queue's lease-expiry
        // entries due at once, so the next lease call drops them instead of letting them pile up.
        while (true)
        {
            var leases = _queue.LeaseAsync(10_000, TimeSpan.FromTicks(1), CancellationToken.None).GetAwaiter().GetResult();
            if (leases.Count == 0)
            {
                return;
            }

            foreach (var lease in leases)
            {
                var done = lease.Delivery with { Status = DeliveryStatus.Succeeded, CompletedAt = DateTimeOffset.UtcNow };
                _queue.CompleteAsync(lease, done, CancellationToken.None).GetAwaiter().GetResult();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public Task<PublishResult> Publish() => _publisher.PublishAsync(_event);
}
