namespace WebhookSender;

/// <summary>
/// What a host asks for when it creates or replaces a subscription. Everything is validated before anything is stored.
/// </summary>
public sealed record WebhookSubscriptionRequest
{
    /// <summary>The event-type wildcard: subscribe to every type.</summary>
    public const string AllEventTypes = "*";

    /// <summary>The absolute http or https URL to send to. Required.</summary>
    public Uri? Url { get; init; }

    /// <summary>The owning tenant, if any. It cannot change on update.</summary>
    public string? TenantId { get; init; }

    /// <summary>A short display name (at most 100 characters).</summary>
    public string? Name { get; init; }

    /// <summary>A description (at most 1,000 characters).</summary>
    public string? Description { get; init; }

    /// <summary>The HTTP method, POST by default.</summary>
    public WebhookHttpMethod Method { get; init; } = WebhookHttpMethod.Post;

    /// <summary>The body format, <see cref="WebhookFormats.Json"/> by default.</summary>
    public string Format { get; init; } = WebhookFormats.Json;

    /// <summary>Catalogued event types, or <c>["*"]</c> (or empty) for every type.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>
    /// The signing secret (<c>whsec_</c> + base64 of 24 to 64 bytes). Leave it <see langword="null"/> on create to have one
    /// generated; on update, <see langword="null"/> keeps the current secrets and a value replaces them at once.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>Whether the subscription starts active (default <see langword="true"/>).</summary>
    public bool IsActive { get; init; } = true;

    /// <summary>Delays between retries for this subscription; <see langword="null"/> uses <see cref="WebhookOptions.RetrySchedule"/>.</summary>
    public IReadOnlyList<TimeSpan>? RetrySchedule { get; init; }

    /// <summary>Shows the request without its secret.</summary>
    public override string ToString() =>
        $"WebhookSubscriptionRequest {{ Url = {Url}, TenantId = {TenantId}, Name = {Name}, Format = {Format}, EventTypes = [{string.Join(", ", EventTypes ?? [])}] }}";
}
