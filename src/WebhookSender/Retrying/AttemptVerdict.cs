namespace WebhookSender;

/// <summary>What an exchange means for the deliveries it carried, and what happens to them next.</summary>
/// <param name="Outcome">Delivered, failed, or gone.</param>
/// <param name="Error">Why it failed, for the delivery log; <see langword="null"/> on success.</param>
/// <param name="RetryIn">The delay before the next attempt; <see langword="null"/> when there is none (succeeded, gone, or the schedule is spent).</param>
internal sealed record AttemptVerdict(AttemptOutcome Outcome, string? Error, TimeSpan? RetryIn)
{
    /// <summary>Whether the endpoint accepted the request.</summary>
    public bool Succeeded => Outcome == AttemptOutcome.Succeeded;

    /// <summary>The deliveries' status after the attempt: done, due again after <see cref="RetryIn"/>, or failed for good.</summary>
    public DeliveryStatus NextStatus => Succeeded ? DeliveryStatus.Succeeded : RetryIn is null ? DeliveryStatus.Failed : DeliveryStatus.Queued;

    /// <summary>The outcome as a telemetry tag value.</summary>
    public string OutcomeTag(AttemptResponse? response) => Outcome switch
    {
        AttemptOutcome.Succeeded => TelemetryTags.Outcomes.Success,
        AttemptOutcome.Gone => TelemetryTags.Outcomes.Gone,
        _ => response is null ? TelemetryTags.Outcomes.Error : TelemetryTags.Outcomes.Failure,
    };
}
