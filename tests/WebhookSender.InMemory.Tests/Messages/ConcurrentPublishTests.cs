using WebhookSender.StoreContract;

namespace WebhookSender.InMemory.Tests.Messages;

/// <summary>Publishes racing each other are stored one at a time, each exactly once, each caller told its own outcome.</summary>
public sealed class ConcurrentPublishTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Racing_publishes_are_each_stored_once_with_their_deliveries_and_duplicates_answered_alike()
    {
        var store = TestData.Store(TestData.Clock());
        const int Tasks = 8;
        const int PerTask = 250;

        // Every task publishes its own messages, then one with an idempotency key all tasks share.
        var results = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < PerTask; i++)
            {
                string id = $"msg_{t:x2}{i:x30}";
                var stored = await store.AddMessageAsync(ContractData.Message(id), [ContractData.Delivery($"dlv_{t:x2}{i:x30}", id)], None);
                Assert.Equal(id, stored.Id);
            }

            return await store.AddMessageAsync(ContractData.Message($"msg_key_{t}", idempotencyKey: "shared"), [ContractData.Delivery($"dlv_key_{t}", $"msg_key_{t}")], None);
        })));

        var deliveries = await store.ListDeliveriesAsync(new DeliveryQuery { Limit = 1000 }, None);
        int stored = deliveries.Items.Count;
        for (var page = deliveries; page.NextCursor is { } cursor; stored += page.Items.Count)
        {
            page = await store.ListDeliveriesAsync(new DeliveryQuery { Limit = 1000, Cursor = cursor }, None);
        }

        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Equal(Tasks * PerTask + 1, stored);
        Assert.Equal(Tasks * PerTask + 1, (await store.LeaseAsync(10_000, TimeSpan.FromMinutes(1), None)).Count);
    }

    [Fact]
    public async Task A_refused_publish_fails_its_own_caller_and_no_other()
    {
        var store = TestData.Store(TestData.Clock());
        await store.AddMessageAsync(ContractData.Message("msg_taken"), [], None);

        var attempts = Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => store.AddMessageAsync(ContractData.Message(i == 25 ? "msg_taken" : $"msg_{i:x32}"), [], None)))
            .ToList();
        var outcomes = await Task.WhenAll(attempts.Select(async a => { try { await a; return null; } catch (InvalidOperationException ex) { return ex; } }));

        var refused = Assert.Single(outcomes, o => o is not null);
        Assert.Contains("msg_taken", refused!.Message, StringComparison.Ordinal);
        Assert.Same(refused, outcomes[25]); // the caller whose id was taken
    }
}
