using System.Text.Json;

namespace WebhookSender;

/// <summary>An entry of the event-type catalog: what subscribers can choose and what ping and test send.</summary>
/// <param name="Name">The type name, for example <c>order.updated</c>.</param>
/// <param name="Description">What the event means, for people choosing subscriptions.</param>
/// <param name="Example">An example payload, sent by tests and shown in catalogs; <see langword="null"/> if none.</param>
public sealed record WebhookEventType(string Name, string Description, object? Example = null)
{
    /// <summary>
    /// The C# type of the event's data, when it was registered with <c>AddEventType&lt;TPayload&gt;</c>; the catalog
    /// derives <see cref="Schema"/> from it.
    /// </summary>
    public Type? PayloadType { get; init; }

    /// <summary>
    /// The JSON Schema of the event's <c>data</c>, derived from <see cref="PayloadType"/> with the serializer options the
    /// payloads are written with (so it cannot drift from the code); <see langword="null"/> when the type is unknown.
    /// </summary>
    public JsonElement? Schema { get; init; }
}
