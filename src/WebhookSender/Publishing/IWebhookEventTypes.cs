namespace WebhookSender;

/// <summary>The event-type catalog, filled with <c>AddEventType</c> at registration.</summary>
public interface IWebhookEventTypes
{
    /// <summary>All catalogued types, ordered by name (the built-in <c>webhook.ping</c> included).</summary>
    IReadOnlyList<WebhookEventType> List();

    /// <summary>Finds a type by name, or returns <see langword="null"/>.</summary>
    WebhookEventType? Find(string name);
}
