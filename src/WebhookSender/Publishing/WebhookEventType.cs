namespace WebhookSender;

/// <summary>An entry of the event-type catalog: what subscribers can choose and what ping and test send.</summary>
/// <param name="Name">The type name, for example <c>order.updated</c>.</param>
/// <param name="Description">What the event means, for people choosing subscriptions.</param>
/// <param name="Example">An example payload, sent by tests and shown in catalogs; <see langword="null"/> if none.</param>
public sealed record WebhookEventType(string Name, string Description, object? Example = null);
