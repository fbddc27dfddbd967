using System.Collections.Concurrent;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Storage;

public class WebhookIdsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 18, 30, 0, 123, TimeSpan.Zero);

    [Fact]
    public void A_version_7_id_carries_the_time_the_version_and_the_variant_like_the_runtimes_own()
    {
        var id = WebhookIds.NewVersion7(Now);

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2); // RFC 9562 variant: the top two bits 10
        Assert.Equal(Guid.CreateVersion7(Now).ToString("N")[..12], id.ToString("N")[..12]); // 48 bits of Unix milliseconds
    }

    [Fact]
    public void Ids_drawn_on_many_threads_past_many_random_blocks_are_all_distinct_and_ordered_by_time()
    {
        var ids = new ConcurrentBag<Guid>();
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 5_000; i++)
            {
                ids.Add(WebhookIds.NewVersion7(Now));
            }
        });

        Assert.Equal(40_000, ids.Distinct().Count());
        Assert.True(WebhookIds.NewVersion7(Now.AddMilliseconds(1)).CompareTo(WebhookIds.NewVersion7(Now)) > 0);
        // The random bits are not all alike (a block drawn once and handed out twice would repeat them).
        Assert.Equal(40_000, ids.Select(g => g.ToString("N")[16..]).Distinct().Count());
    }
}
