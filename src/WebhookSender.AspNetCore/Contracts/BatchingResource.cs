namespace WebhookSender.AspNetCore;

/// <summary>Send the events of a window together, as one request with a JSON array.</summary>
/// <param name="WindowSeconds">How long events gather before they are sent.</param>
/// <param name="MaxSize">The most events in one request; 0 for the library's default.</param>
public sealed record BatchingResource(double WindowSeconds, int MaxSize = 0);
