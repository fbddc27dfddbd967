namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_bodies</c>: a request body the attempts of one message sent, kept once however many attempts
/// sent it (the deliveries of a fan-out in one format, retries, re-reads of a pull feed). Attempts refer to it by
/// message and digest; it goes with its message.
/// </summary>
internal sealed class BodyRow
{
    public required string MessageId { get; set; }

    /// <summary>The first 8 bytes of the body's SHA-256: tells apart the few bodies of one message.</summary>
    public long Digest { get; set; }

    public required string Body { get; set; }
}
