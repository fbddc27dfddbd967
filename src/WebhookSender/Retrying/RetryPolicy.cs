using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// The one place that says what an exchange means: delivered, failed or gone, in words for the log, and when the next
/// attempt of a failed delivery happens, if at all.
/// </summary>
internal sealed class RetryPolicy(IOptions<WebhookOptions> options)
{
    /// <summary>The random source for jitter, a seam for tests.</summary>
    internal Func<double> NextRandom { get; init; } = Random.Shared.NextDouble;

    /// <summary>
    /// Classifies <paramref name="exchange"/> and, if it failed, schedules the next attempt of <paramref name="delivery"/>
    /// (the first of a batch: its members share their attempt count).
    /// </summary>
    public AttemptVerdict Judge(HttpExchange exchange, WebhookSubscription subscription, WebhookDelivery delivery)
    {
        var (outcome, error) = Classify(exchange, delivery.Trigger);
        var retryIn = outcome == AttemptOutcome.Failed ? NextDelay(subscription, delivery, delivery.AttemptCount + 1, exchange.RetryAfter) : null;
        return new AttemptVerdict(outcome, error, retryIn);
    }

    /// <summary>
    /// What <paramref name="exchange"/> means, with the error a person reads in the delivery log. <paramref name="trigger"/>
    /// words the error to fit what the outcome leads to: a <see cref="AttemptTrigger.Test"/> never disables.
    /// </summary>
    public (AttemptOutcome Outcome, string? Error) Classify(HttpExchange exchange, AttemptTrigger trigger)
    {
        if (exchange.Response is not { } response)
        {
            return (AttemptOutcome.Failed, exchange.Failure?.Error);
        }

        int status = response.StatusCode;
        string reason = string.IsNullOrEmpty(exchange.ReasonPhrase) ? string.Empty : " " + exchange.ReasonPhrase;
        return status switch
        {
            >= 200 and < 300 when response.BodyTruncated => (AttemptOutcome.Failed,
                $"The endpoint answered {status} but sent a body larger than {options.Value.MaxResponseBodyBytes} bytes (MaxResponseBodyBytes); only that much was read. Answer webhooks with a short body."),
            >= 200 and < 300 => (AttemptOutcome.Succeeded, null),
            >= 300 and < 400 => (AttemptOutcome.Failed,
                $"The endpoint answered {status}{reason} (a redirect); redirects are never followed. Point the subscription at the final URL."),
            410 when trigger == AttemptTrigger.Test => (AttemptOutcome.Gone,
                $"The endpoint answered 410{reason}: it asks to be unsubscribed. A test leaves the subscription active; a delivery answered like this would disable it."),
            410 => (AttemptOutcome.Gone, $"The endpoint answered 410{reason}: it asks to be unsubscribed, so the subscription is disabled."),
            _ => (AttemptOutcome.Failed, $"The endpoint answered {status}{reason}."),
        };
    }

    /// <summary>
    /// The delay before the next attempt after attempt number <paramref name="attemptNumber"/> failed, or
    /// <see langword="null"/> when the schedule is exhausted. A receiver's <c>Retry-After</c> replaces the scheduled
    /// delay, cut to <see cref="WebhookOptions.MaxRetryAfter"/>. Pings are never retried.
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
