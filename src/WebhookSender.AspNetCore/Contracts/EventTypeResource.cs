using System.Text.Json;

namespace WebhookSender.AspNetCore;

/// <summary>An entry of the event catalog, as the API shows it.</summary>
/// <param name="Name">The type name, for example <c>order.updated</c>.</param>
/// <param name="Description">What the event means.</param>
/// <param name="Example">An example of the event's <c>data</c>, as it is sent; <see langword="null"/> if none.</param>
/// <param name="Schema">The JSON Schema of the event's <c>data</c>, when the type was registered with its payload type.</param>
public sealed record EventTypeResource(string Name, string Description, JsonElement? Example, JsonElement? Schema);
