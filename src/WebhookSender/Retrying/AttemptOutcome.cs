namespace WebhookSender;

/// <summary>How one HTTP exchange ended, from the delivery's point of view.</summary>
internal enum AttemptOutcome
{
    /// <summary>2xx: delivered.</summary>
    Succeeded,

    /// <summary>Failed; try again on the schedule (or at <c>Retry-After</c>).</summary>
    Failed,

    /// <summary>410 Gone: the endpoint asks to be unsubscribed.</summary>
    Gone,
}

/// <summary>The result of one HTTP exchange.</summary>
internal sealed record HttpAttemptResult(
    AttemptOutcome Outcome,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    AttemptRequest Request,
    AttemptResponse? Response,
    string? Error,
    TimeSpan? RetryAfter)
{
    /// <summary>The exchange as an entry of the delivery log.</summary>
    public DeliveryAttempt ToAttempt(
        WebhookSubscription subscription, string? deliveryId, string messageId, string eventType, int attemptNumber, AttemptTrigger trigger, IReadOnlyList<string> warnings) => new()
    {
        Id = WebhookIds.NewVersion7(StartedAt),
        DeliveryId = deliveryId,
        MessageId = messageId,
        SubscriptionId = subscription.Id,
        TenantId = subscription.TenantId,
        EventType = eventType,
        AttemptNumber = attemptNumber,
        Trigger = trigger,
        StartedAt = StartedAt,
        Duration = Duration,
        Succeeded = Outcome == AttemptOutcome.Succeeded,
        Request = Request,
        Response = Response,
        Error = Error,
        Warnings = warnings,
    };

    /// <summary>The outcome as a telemetry tag value.</summary>
    public string OutcomeTag => Outcome switch
    {
        AttemptOutcome.Succeeded => "success",
        AttemptOutcome.Gone => "gone",
        _ => Response is null ? "error" : "failure",
    };
}
