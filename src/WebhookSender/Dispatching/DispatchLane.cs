namespace WebhookSender;

/// <summary>Which of the dispatcher's two pools an attempt runs in (see <see cref="WebhookEndpointOptions"/>).</summary>
internal enum DispatchLane
{
    /// <summary>The <see cref="WebhookOptions.MaxConcurrency"/> slots: attempts to proven endpoints.</summary>
    Main,

    /// <summary>The <see cref="WebhookEndpointOptions.MaxProbationConcurrency"/> pool: one attempt per endpoint on probation.</summary>
    Probation,
}
