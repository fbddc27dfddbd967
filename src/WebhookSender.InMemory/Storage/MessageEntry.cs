namespace WebhookSender.InMemory;

/// <summary>A stored message with the bookkeeping of its deliveries.</summary>
internal sealed class MessageEntry(WebhookMessage message)
{
    public WebhookMessage Message { get; } = message;

    public string Id => Message.Id;

    /// <summary>Its place among the completed messages retention may drop, oldest first.</summary>
    public LogKey<string> RetentionKey { get; } = new(message.CreatedAt.UtcTicks, message.Id);

    /// <summary>Its deliveries, as runs of the delivery log: one for a publish, one more per redelivery.</summary>
    public List<DeliveryRun> Runs { get; } = new(1);

    public int PendingDeliveries { get; set; }
}
