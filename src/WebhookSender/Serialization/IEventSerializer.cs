using System.Buffers;
using System.Text.Json;

namespace WebhookSender;

/// <summary>
/// Renders a payload in one body format. The payload is the JSON envelope (or an array of envelopes for a batch);
/// the serializer maps it to its format. The signature covers exactly the bytes written.
/// </summary>
public interface IEventSerializer
{
    /// <summary>The format name subscriptions choose, for example <c>json</c>.</summary>
    string Format { get; }

    /// <summary>The <c>content-type</c> sent with the body.</summary>
    string MediaType { get; }

    /// <summary>Writes <paramref name="payload"/> in this format.</summary>
    void Serialize(JsonElement payload, IBufferWriter<byte> output);
}
