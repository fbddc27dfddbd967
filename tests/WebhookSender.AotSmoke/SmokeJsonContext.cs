using System.Text.Json.Serialization;

namespace WebhookSender.AotSmoke;

/// <summary>
/// What the app publishes, for System.Text.Json's source generator: under native AOT there is no reflection to find it.
/// The context's dictionary and its string values are listed because the event carries <see cref="WebhookEvent.Context"/>.
/// </summary>
[JsonSerializable(typeof(OrderPaid))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, object?>))]
[JsonSerializable(typeof(string))]
internal sealed partial class SmokeJsonContext : JsonSerializerContext;
