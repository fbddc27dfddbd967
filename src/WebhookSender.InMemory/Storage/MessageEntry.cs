using System.Runtime.InteropServices;
using System.Text.Json;

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

    /// <summary>What the message costs to keep, about: its JSON (data and context) and its strings.</summary>
    public int Bytes { get; } = 200 + Raw(message.Data) + (message.Context is { } context ? Raw(context) : 0)
        + 2 * (message.Id.Length + message.EventType.Length + (message.TenantId?.Length ?? 0) + (message.IdempotencyKey?.Length ?? 0) + (message.TraceParent?.Length ?? 0)
            + message.Attributes.Sum(a => a.Key.Length + a.Value.Length + 24));

    private static int Raw(JsonElement element) => element.ValueKind == JsonValueKind.Undefined ? 0 : JsonMarshal.GetRawUtf8Value(element).Length;
}
