namespace WebhookSender;

/// <summary>The three things the dispatcher can do with leased work (see <see cref="Admission"/>).</summary>
internal enum AdmissionKind
{
    /// <summary>Run it now, in the lane given.</summary>
    Start,

    /// <summary>Keep it at the endpoint's gate (still leased) until one of the endpoint's attempts ends.</summary>
    Wait,

    /// <summary>Give it back to the queue, due later, without an attempt.</summary>
    Defer,
}
