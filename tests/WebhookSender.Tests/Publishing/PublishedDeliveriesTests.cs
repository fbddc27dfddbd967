using System.Text.Json;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Publishing;

public sealed class PublishedDeliveriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Ids_ascend_and_stay_version_7_uuids()
    {
        var deliveries = new PublishedDeliveries(Message(), [.. Enumerable.Range(0, 50).Select(i => Subscription($"sub_{i}"))], Now);

        var ids = Enumerable.Range(0, deliveries.Count).Select(deliveries.IdAt).ToList();

        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.All(ids, id => Assert.Equal(Guid.CreateVersion7(Now).ToString("N")[..12], id.ToString("N")[..12])); // the time stays
        Assert.Equal(ids.Select(id => "dlv_" + id.ToString("N")), deliveries.Select(d => d.Id));
    }

    [Fact]
    public void Counting_past_the_largest_random_bits_keeps_the_variant()
    {
        var last = Guid.ParseExact("0190a1b2c3d47000bfffffffffffffff", "N");

        var next = WebhookIds.Offset(last, 1);

        Assert.Equal("0190a1b2c3d470008000000000000000", next.ToString("N"));
        Assert.Equal(7, next.Version);
    }

    [Fact]
    public void Each_delivery_is_made_once_with_the_publishers_rules()
    {
        var batching = new WebhookBatching { Window = TimeSpan.FromMinutes(5) };
        var deliveries = new PublishedDeliveries(Message(), [Subscription("sub_a"), Subscription("sub_b") with { Batching = batching }], Now);

        var plain = deliveries[0];
        var batched = deliveries[1];

        Assert.Same(plain, deliveries[0]);
        Assert.False(deliveries.IsBatched(0));
        Assert.True(deliveries.IsBatched(1));
        Assert.Equal(
            WebhookPublisher.NewDelivery(deliveries.Message, deliveries.SubscriptionAt(0), AttemptTrigger.Scheduled, Now) with { Id = plain.Id },
            plain);
        Assert.Equal(Now, plain.DueAt);
        Assert.Equal(Now.AddMinutes(5), batched.DueAt);
        Assert.Equal($"sub_b@{Now.AddMinutes(5).UtcTicks}", batched.BatchKey);
        Assert.Throws<ArgumentOutOfRangeException>(() => deliveries.IdAt(2));
    }

    private static WebhookMessage Message() => new()
    {
        Id = "msg_1",
        EventType = "order.created",
        TenantId = "t1",
        Timestamp = Now,
        Data = JsonSerializer.SerializeToElement(new { }),
        CreatedAt = Now,
    };

    private static WebhookSubscription Subscription(string id) => new()
    {
        Id = id,
        Url = new Uri("https://receiver.example/hooks"),
        Secrets = [],
        CreatedAt = Now,
        UpdatedAt = Now,
    };
}
