namespace WebhookSender;

/// <summary>A body ready to sign and send, with what the mapping had to say about it.</summary>
internal sealed record SerializedPayload(byte[] Body, string MediaType)
{
    /// <summary>Problems that did not stop the request, such as a mapped path missing from the event.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
