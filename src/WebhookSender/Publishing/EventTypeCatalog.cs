using System.Text.RegularExpressions;

namespace WebhookSender;

/// <summary>The event types registered with <c>AddEventType</c>, plus the built-in <c>webhook.ping</c>.</summary>
internal sealed partial class EventTypeCatalog : IWebhookEventTypes
{
    public const string PingType = "webhook.ping";

    public const int MaxNameLength = 128;

    private readonly Dictionary<string, WebhookEventType> _types = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<WebhookEventType> _sorted;

    public EventTypeCatalog(IEnumerable<WebhookEventType> registered)
    {
        _types[PingType] = new WebhookEventType(PingType, "Sent when a subscription is created or pinged, to check the endpoint.", new { zen = "Webhooks are working." });
        foreach (var type in registered)
        {
            if (!_types.TryAdd(type.Name, type))
            {
                throw new InvalidOperationException($"The webhook event type '{type.Name}' is registered twice (or clashes with the built-in '{PingType}'); register each type once.");
            }
        }

        _sorted = [.. _types.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    public IReadOnlyList<WebhookEventType> List() => _sorted;

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
