namespace WebhookSender;

/// <summary>What the body of a request carries.</summary>
public enum WebhookPayloadMode
{
    /// <summary>The envelope <c>{"id","type","timestamp","data",…}</c> (default).</summary>
    Envelope,

    /// <summary>Only the event's <c>data</c>; id, type and timestamp travel in the <c>webhook-*</c> headers.</summary>
    Data,

    /// <summary>Only the fields of <see cref="WebhookSubscription.FieldMap"/>, each taken from the event or a constant.</summary>
    Mapped,
}
