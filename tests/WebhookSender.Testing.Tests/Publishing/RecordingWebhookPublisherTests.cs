namespace WebhookSender.Testing.Tests.Publishing;

public sealed class RecordingWebhookPublisherTests
{
    [Fact]
    public async Task Records_events_in_order_and_returns_fresh_message_ids()
    {
        var publisher = new RecordingWebhookPublisher();
        var first = new WebhookEvent("order.created", new { Id = 1 });
        var second = new WebhookEvent("order.updated", new { Id = 1 }) { TenantId = "t1" };

        var result1 = await publisher.PublishAsync(first);
        var result2 = await publisher.PublishAsync(second);

        Assert.Equal([first, second], publisher.Published);
        Assert.Matches("^msg_[0-9a-f]{32}$", result1.MessageId);
        Assert.Matches("^msg_[0-9a-f]{32}$", result2.MessageId);
        Assert.NotEqual(result1.MessageId, result2.MessageId);
        Assert.Equal(0, result1.DeliveryCount);
        Assert.False(result1.IsDuplicate);
    }

    [Fact]
    public async Task Reports_the_configured_delivery_count()
    {
        var publisher = new RecordingWebhookPublisher { DeliveryCount = 3 };

        var result = await publisher.PublishAsync(new WebhookEvent("order.created", null));

        Assert.Equal(3, result.DeliveryCount);
    }

    [Fact]
    public void Negative_delivery_count_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecordingWebhookPublisher { DeliveryCount = -1 });
    }

    [Fact]
    public async Task Clear_forgets_published_events_and_Published_is_a_snapshot()
    {
        var publisher = new RecordingWebhookPublisher();
        await publisher.PublishAsync(new WebhookEvent("order.created", null));
        var before = publisher.Published;

        publisher.Clear();

        Assert.Single(before);
        Assert.Empty(publisher.Published);
    }

    [Fact]
    public async Task Concurrent_publishes_are_all_recorded()
    {
        var publisher = new RecordingWebhookPublisher();

        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            Task.Run(() => publisher.PublishAsync(new WebhookEvent("order.created", i)))));

        Assert.Equal(500, publisher.Published.Count);
        Assert.Equal(500, results.Select(result => result.MessageId).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 500), publisher.Published.Select(e => (int)e.Data!).Order());
    }

    [Fact]
    public async Task Cancelled_publish_records_nothing()
    {
        var publisher = new RecordingWebhookPublisher();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => publisher.PublishAsync(new WebhookEvent("order.created", null), new CancellationToken(canceled: true)));

        Assert.Empty(publisher.Published);
    }

    [Fact]
    public async Task Null_event_is_rejected()
    {
        var publisher = new RecordingWebhookPublisher();

        await Assert.ThrowsAsync<ArgumentNullException>(() => publisher.PublishAsync(null!));
    }
}
