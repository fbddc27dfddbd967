namespace WebhookSender;

/// <summary>The registered <see cref="IEventSerializer"/>s by format name; a later registration of a name wins.</summary>
internal sealed class SerializerRegistry
{
    private readonly Dictionary<string, IEventSerializer> _byFormat = new(StringComparer.OrdinalIgnoreCase);

    public SerializerRegistry(IEnumerable<IEventSerializer> serializers)
    {
        foreach (var serializer in serializers)
        {
            _byFormat[serializer.Format] = serializer;
        }
    }

    public IEnumerable<string> Formats => _byFormat.Keys.Order(StringComparer.Ordinal);

    public bool Contains(string format) => _byFormat.ContainsKey(format);

    public IEventSerializer Get(string format) =>
        _byFormat.TryGetValue(format, out var serializer)
            ? serializer
            : throw new InvalidOperationException($"No serializer is registered for the webhook format '{format}'. Registered formats: {string.Join(", ", Formats)}.");
}
