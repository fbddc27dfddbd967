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
