using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace WebhookSender;

/// <summary>
/// Turns messages into request bodies for a subscription: the envelope, only the data, mapped fields, or a batch, in the
/// subscription's format. Envelope bodies are serialized once per message and format and reused by every subscription
/// and retry; messages never change, so cached entries never go stale.
/// </summary>
internal sealed class PayloadBuilder(IWebhookStore store, SerializerRegistry serializers)
{
    private const int MaxEntries = 4096;
    private readonly ConcurrentDictionary<string, WebhookMessage> _messages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string MessageId, string Format), SerializedPayload> _envelopes = new();

    /// <summary>Gets a message from the cache or the store; <see langword="null"/> when it is no longer stored.</summary>
    public async ValueTask<WebhookMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken)
    {
        if (_messages.TryGetValue(messageId, out var cached))
        {
            return cached;
        }

        var message = await store.GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        if (message is not null)
        {
            Remember(_messages, messageId, message);
        }

        return message;
    }

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
                    payload = Serialize(EnvelopeBuilder.Build(message), subscription.Format);
                    Remember(_envelopes, key, payload);
                }

                return payload;
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
        var buffer = new ArrayBufferWriter<byte>(512);
        serializer.Serialize(payload, buffer);
        return new SerializedPayload(buffer.WrittenSpan.ToArray(), serializer.MediaType);
    }

    // Bounded: deliveries of one message are sent close together, so starting over when full costs little.
    private static void Remember<TKey, TValue>(ConcurrentDictionary<TKey, TValue> cache, TKey key, TValue value)
        where TKey : notnull
    {
        if (cache.Count >= MaxEntries)
        {
            cache.Clear();
        }

        cache[key] = value;
    }
}
