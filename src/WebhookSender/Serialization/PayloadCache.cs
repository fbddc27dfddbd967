using System.Buffers;
using System.Collections.Concurrent;

namespace WebhookSender;

/// <summary>A serialized body ready to sign and send.</summary>
internal sealed record SerializedPayload(byte[] Body, string MediaType);

/// <summary>
/// Serializes each message once per format: a fan-out to many subscriptions (and every retry) reuses the bytes.
/// Messages never change, so entries never go stale; the cache is bounded and simply starts over when full.
/// </summary>
internal sealed class PayloadCache(IWebhookStore store, SerializerRegistry serializers)
{
    private const int MaxEntries = 4096;
    private readonly ConcurrentDictionary<(string MessageId, string Format), SerializedPayload> _entries = new();

    /// <summary>Returns the body of the message in the format, or <see langword="null"/> when the message is no longer stored.</summary>
    public async ValueTask<SerializedPayload?> GetAsync(string messageId, string format, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue((messageId, format), out var cached))
        {
            return cached;
        }

        var message = await store.GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return null;
        }

        var payload = Serialize(message, format);
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[(messageId, format)] = payload;
        return payload;
    }

    public SerializedPayload Serialize(WebhookMessage message, string format)
    {
        var serializer = serializers.Get(format);
        var buffer = new ArrayBufferWriter<byte>(512);
        serializer.Serialize(EnvelopeBuilder.Build(message), buffer);
        return new SerializedPayload(buffer.WrittenSpan.ToArray(), serializer.MediaType);
    }
}
