namespace WebhookSender.AspNetCore;

/// <summary>A rate limit: <paramref name="Limit"/> requests per <paramref name="PeriodSeconds"/>, in bursts of up to <paramref name="Burst"/>.</summary>
/// <param name="Limit">Requests per period.</param>
/// <param name="PeriodSeconds">The period, in seconds (0.1 to 3,600); 0 or left out for one second.</param>
/// <param name="Burst">The most requests at once after a quiet spell; left out, the limit.</param>
public sealed record RateLimitResource(int Limit, double PeriodSeconds = 0, int? Burst = null);
