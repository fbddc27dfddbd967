namespace WebhookSender;

/// <summary>One HTTP exchange with a receiver, as kept in the delivery log.</summary>
public sealed record DeliveryAttempt
{
    /// <summary>The attempt id (a version 7 UUID, ordered by time).</summary>
    public required Guid Id { get; init; }

    /// <summary>The delivery; <see langword="null"/> for test attempts, which bypass the queue.</summary>
    public string? DeliveryId { get; init; }

    /// <summary>The message sent (its id is the <c>webhook-id</c>).</summary>
    public required string MessageId { get; init; }

    /// <summary>The subscription.</summary>
    public required string SubscriptionId { get; init; }

    /// <summary>The subscription's tenant.</summary>
    public string? TenantId { get; init; }

    /// <summary>The event type.</summary>
    public required string EventType { get; init; }

    /// <summary>1 for the first attempt of a delivery, 2 for the first retry, and so on.</summary>
    public required int AttemptNumber { get; init; }

    /// <summary>Why the attempt was made.</summary>
    public required AttemptTrigger Trigger { get; init; }

    /// <summary>When the request started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long the exchange took, until the response body was read or the attempt failed.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Whether the receiver accepted the message (2xx).</summary>
    public required bool Succeeded { get; init; }

    /// <summary>The request as sent (credentials redacted).</summary>
    public required AttemptRequest Request { get; init; }

    /// <summary>The response, or <see langword="null"/> if none arrived (timeout, refused, reset).</summary>
    public AttemptResponse? Response { get; init; }

    /// <summary>Why the attempt failed, in words; <see langword="null"/> on success.</summary>
    public string? Error { get; init; }

    /// <summary>Problems that did not stop the request, such as a mapped field missing from the event.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
