using System.Buffers;
using System.Text.Json;

namespace WebhookSender;

/// <summary>
/// Turns messages into request bodies for a subscription: the envelope, only the data, mapped fields, or a batch, in the
/// subscription's format. Envelope bodies are serialized once per message and format and reused by every subscription
/// and retry; messages never change, so cached entries never go stale.
/// </summary>
internal sealed class PayloadBuilder(IWebhookStore store, SerializerRegistry serializers)
{
    // Messages and bodies of the work in flight and just before: at most twice this many of each, and twice this many
    // bytes (about: a message's size is its JSON's, and a body's is taken to be its envelope's), are kept.
    private const int GenerationSize = 2048;
    private const long GenerationBytes = 16 * 1024 * 1024;
    private readonly RecentCache<string, WebhookMessage> _messages = new(GenerationSize, GenerationBytes, EnvelopeBuilder.EstimateSize, StringComparer.Ordinal);

    // The deliveries of one message leased from the store together (another instance published it) read it once.
    private readonly SharedReads<string, WebhookMessage?> _messageReads = new(StringComparer.Ordinal);

    // Lazy: the deliveries of one message are leased together and sent at the same moment, so without it each of them
    // would miss the cache and serialize the same envelope.
    private readonly RecentCache<(string MessageId, string Format), Envelope> _envelopes = new(GenerationSize, GenerationBytes, static e => e.EstimatedBytes);

    /// <summary>Gets a message from the cache or the store; <see langword="null"/> when it is no longer stored.</summary>
    public async ValueTask<WebhookMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken)
    {
        if (_messages.TryGetValue(messageId, out var cached))
        {
            return cached;
        }

        return await _messageReads.ReadAsync(messageId, async () =>
        {
            var message = await store.GetMessageAsync(messageId, CancellationToken.None).ConfigureAwait(false);
            return message is null ? null : _messages.GetOrAdd(messageId, message);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps a message just published, so that when this process delivers it (the common case) it needs no read from
    /// the store. Harmless if the message is never stored (an outbox transaction rolled back): no delivery refers to it.
    /// </summary>
    public void Remember(WebhookMessage message) => _messages.GetOrAdd(message.Id, message);

    /// <summary>Whether the message is in the cache (for tests).</summary>
    internal bool IsCached(string messageId) => _messages.TryGetValue(messageId, out _);

    public SerializedPayload Build(WebhookMessage message, WebhookSubscription subscription)
    {
        switch (subscription.PayloadMode)
        {
            case WebhookPayloadMode.Data:
                return Serialize(message.Data, subscription.Format);
            case WebhookPayloadMode.Mapped:
                var warnings = new List<string>();
                var mapped = FieldMapper.Map(EnvelopeBuilder.Build(message), subscription.FieldMap ?? new Dictionary<string, WebhookFieldSource>(), warnings);
                return Serialize(mapped, subscription.Format) with { Warnings = warnings };
            default:
                var key = (message.Id, subscription.Format);
                if (!_envelopes.TryGetValue(key, out var payload))
                {
                    string format = subscription.Format;
                    payload = _envelopes.GetOrAdd(key, new Envelope(EnvelopeBuilder.EstimateSize(message), () => Serialize(EnvelopeBuilder.Build(message), format)));
                }

                return payload.Value;
        }
    }

    /// <summary>A batch: the envelopes of all messages as one array, in the subscription's (array) format.</summary>
    public SerializedPayload BuildBatch(IReadOnlyList<WebhookMessage> messages, WebhookSubscription subscription)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * messages.Count);
        using (var writer = new Utf8JsonWriter(buffer, JsonEventSerializer.WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                EnvelopeBuilder.Write(writer, message);
            }

            writer.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return Serialize(document.RootElement, subscription.Format);
    }

    private SerializedPayload Serialize(JsonElement payload, string format)
    {
        var serializer = serializers.Get(format);

        // Room for the JSON text plus a quarter (xml tags, form escapes): the buffer is rarely grown.
        int length = EnvelopeBuilder.RawLength(payload);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, length + length / 4));
        serializer.Serialize(payload, buffer);
        return new SerializedPayload(buffer.WrittenSpan.ToArray(), serializer.MediaType);
    }

    /// <summary>An envelope body made on first use, with the size the cache counts it at before it is made.</summary>
    private sealed class Envelope(int estimatedBytes, Func<SerializedPayload> serialize) : Lazy<SerializedPayload>(serialize)
    {
        public int EstimatedBytes { get; } = estimatedBytes;
    }
}
