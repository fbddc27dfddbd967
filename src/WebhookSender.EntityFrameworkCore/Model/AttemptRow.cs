namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_attempts</c>: one HTTP exchange; request and response as JSON text. The request body of a
/// delivery's attempt is kept apart, once per message (<see cref="BodyRow"/>, found by <see cref="BodyDigest"/>).
/// </summary>
internal sealed class AttemptRow
{
    /// <summary>The attempt's UUID as 32 lowercase hex digits: sorts like <see cref="Guid.CompareTo(Guid)"/> on every provider.</summary>
    public required string Id { get; set; }

    public string? DeliveryId { get; set; }

    public required string MessageId { get; set; }

    public required string SubscriptionId { get; set; }

    public string? TenantId { get; set; }

    public required string EventType { get; set; }

    public int AttemptNumber { get; set; }

    public int Trigger { get; set; }

    /// <summary>UTC ticks.</summary>
    public long StartedAt { get; set; }

    /// <summary>Ticks.</summary>
    public long Duration { get; set; }

    public bool Succeeded { get; set; }

    /// <summary>The request as JSON; its body is empty when <see cref="BodyDigest"/> names the body in <c>webhook_bodies</c>.</summary>
    public required string Request { get; set; }

    /// <summary>The digest of the request body kept in <c>webhook_bodies</c> with the message, or <see langword="null"/> when the body is in <see cref="Request"/>.</summary>
    public long? BodyDigest { get; set; }

    public string? Response { get; set; }

    public string? Error { get; set; }

    /// <summary>Problems that did not stop the request, as a JSON array, or <see langword="null"/> when there were none.</summary>
    public string? Warnings { get; set; }
}
