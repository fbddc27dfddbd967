using System.Text.Json;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>The event types registered with <c>AddEventType</c>, plus the built-in <c>webhook.ping</c>.</summary>
internal sealed partial class EventTypeCatalog : IWebhookEventTypes
{
    public const string PingType = "webhook.ping";

    public const int MaxNameLength = 128;

    private readonly Dictionary<string, WebhookEventType> _types = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<WebhookEventType> _sorted;

    public EventTypeCatalog(IEnumerable<WebhookEventType> registered, IOptions<WebhookOptions> options)
    {
        // JSON rather than an anonymous object, which would need reflection to serialize (not there under native AOT).
        _types[PingType] = new WebhookEventType(PingType, "Sent when a subscription is created or pinged, to check the endpoint.", JsonElement.Parse("""{"zen":"Webhooks are working."}"""));
        foreach (var type in registered.Select(t => WithSchema(t, options.Value.JsonSerializerOptions)))
        {
            if (!_types.TryAdd(type.Name, type))
            {
                throw new InvalidOperationException($"The webhook event type '{type.Name}' is registered twice (or clashes with the built-in '{PingType}'); register each type once.");
            }
        }

        _sorted = [.. _types.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    public IReadOnlyList<WebhookEventType> List() => _sorted;

    /// <summary>The type with the JSON Schema of its payload type, exported with the options the data is serialized with.</summary>
    private static WebhookEventType WithSchema(WebhookEventType type, JsonSerializerOptions serializerOptions)
    {
        if (type.PayloadType is not { } payloadType || type.Schema is not null)
        {
            return type;
        }

        // As the first publish would: the host's options, read-only from now on, resolving types by reflection unless
        // the host gave them a resolver (source-generated, for trimmed and AOT apps). Options without a resolver get the
        // reflection one from GetTypeInfo below (filling it in here would need reflection under native AOT too).
        if (!serializerOptions.IsReadOnly && serializerOptions.TypeInfoResolver is not null)
        {
            serializerOptions.MakeReadOnly();
        }

        // The schema describes what receivers get: numbers read from strings (the web defaults) are still written as numbers.
        var writing = (serializerOptions.NumberHandling & JsonNumberHandling.AllowReadingFromString) == 0
            ? serializerOptions
            : new JsonSerializerOptions(serializerOptions) { NumberHandling = serializerOptions.NumberHandling & ~JsonNumberHandling.AllowReadingFromString };
        var exporterOptions = new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true };
        var schema = writing.GetTypeInfo(payloadType).GetJsonSchemaAsNode(exporterOptions);
        using var document = JsonDocument.Parse(schema.ToJsonString());
        return type with { Schema = document.RootElement.Clone() };
    }

    public WebhookEventType? Find(string name) => _types.GetValueOrDefault(name);

    /// <summary>Types a subscription or publisher may name: everything except the built-in ping.</summary>
    public bool IsPublishable(string name) => name != PingType && _types.ContainsKey(name);

    public string DescribeKnownTypes()
    {
        var names = _sorted.Where(t => t.Name != PingType).Select(t => t.Name).ToList();
        return names.Count == 0
            ? "No event types are registered; call AddEventType(...) on the webhooks builder."
            : "Registered types: " + string.Join(", ", names) + ".";
    }

    public static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > MaxNameLength || !NamePattern().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid event type name: use up to {MaxNameLength} letters, digits, '_' or '-', in dot-separated parts, for example 'order.updated'.",
                nameof(name));
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")]
    private static partial Regex NamePattern();
}
