namespace WebhookSender.AotSmoke;

/// <summary>The event data the app publishes.</summary>
internal sealed record OrderPaid(int OrderId, decimal Total, string Status);
