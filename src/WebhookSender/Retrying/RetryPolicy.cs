using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>When the next attempt of a failed delivery happens, if at all.</summary>
internal sealed class RetryPolicy(IOptions<WebhookOptions> options)
{
    /// <summary>The random source for jitter, a seam for tests.</summary>
    internal Func<double> NextRandom { get; init; } = Random.Shared.NextDouble;

    /// <summary>
    /// The delay before the next attempt after attempt number <paramref name="attemptNumber"/> failed, or
    /// <see langword="null"/> when the schedule is exhausted. A receiver's <c>Retry-After</c> replaces the scheduled
    /// delay, cut to <see cref="WebhookOptions.MaxRetryAfter"/>.
    /// </summary>
    public TimeSpan? NextDelay(WebhookSubscription subscription, WebhookDelivery delivery, int attemptNumber, TimeSpan? retryAfter)
    {
        var settings = options.Value;
        var schedule = delivery.Trigger == AttemptTrigger.Ping ? [] : subscription.RetrySchedule ?? settings.RetrySchedule;
        int retryIndex = attemptNumber - 1;
        if (retryIndex >= schedule.Count)
        {
            return null;
        }

        if (retryAfter is { } requested)
        {
            return requested < settings.MaxRetryAfter ? requested : settings.MaxRetryAfter;
        }

        var scheduled = schedule[retryIndex];
        double spread = (NextRandom() * 2 - 1) * settings.RetryJitter;
        // Whole milliseconds: timers count in them, so a due time never falls between two timer ticks.
        return TimeSpan.FromMilliseconds(Math.Round(scheduled.TotalMilliseconds * (1 + spread)));
    }
}
