namespace WebhookSender.AspNetCore;

/// <summary>A ping queued: its message id, to find it in the delivery log.</summary>
/// <param name="MessageId">The ping's message id (<c>msg_…</c>).</param>
public sealed record PingResource(string MessageId);
