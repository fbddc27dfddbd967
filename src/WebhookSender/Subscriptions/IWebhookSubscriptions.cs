namespace WebhookSender;

/// <summary>Manages subscriptions: the API a host exposes to its customers for their endpoints.</summary>
public interface IWebhookSubscriptions
{
    /// <summary>
    /// Validates and stores a subscription, then sends it a <c>webhook.ping</c> event (as GitHub does).
    /// </summary>
    /// <exception cref="WebhookValidationException">The request is invalid; nothing was stored.</exception>
    Task<CreatedSubscription> CreateAsync(WebhookSubscriptionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets a subscription (secrets redacted), or <see langword="null"/>.</summary>
    Task<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Lists subscriptions, optionally of one tenant, a page at a time.</summary>
    Task<WebhookPage<WebhookSubscription>> ListAsync(SubscriptionQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Replaces a subscription's settings. Its tenant cannot change.</summary>
    /// <exception cref="WebhookValidationException">The request is invalid; nothing was changed.</exception>
    /// <exception cref="KeyNotFoundException">No subscription has that id.</exception>
    Task<WebhookSubscription> UpdateAsync(string id, WebhookSubscriptionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription; pending deliveries to it fail. Returns <see langword="false"/> if it did not exist.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Queues another <c>webhook.ping</c> to the subscription and returns the message id.</summary>
    Task<string> PingAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the catalog's example event for <paramref name="eventType"/>, or for every type the subscription receives,
    /// at once (not queued, no retries), and reports the outcome of each. Test attempts appear in the log with trigger
    /// <see cref="AttemptTrigger.Test"/> and never count toward disabling.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No subscription has that id.</exception>
    /// <exception cref="WebhookValidationException">The event type is not catalogued.</exception>
    Task<WebhookTestReport> TestAsync(string id, string? eventType = null, CancellationToken cancellationToken = default);

    /// <summary>Returns the current signing secret, for hosts that let owners reveal it.</summary>
    Task<string> GetSecretAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a new secret current (generated unless given) and keeps the old ones signing for <paramref name="overlap"/>
    /// (default 24 hours), so receivers can switch without dropping requests. Returns the new secret.
    /// </summary>
    Task<string> RotateSecretAsync(string id, string? newSecret = null, TimeSpan? overlap = null, CancellationToken cancellationToken = default);

    /// <summary>Re-enables a subscription and clears its failure state.</summary>
    Task<WebhookSubscription> EnableAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Disables a subscription with a reason; it receives nothing until enabled.</summary>
    Task<WebhookSubscription> DisableAsync(string id, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a new Ed25519 signing key for <c>v1a</c> signatures; the old live ones keep signing beside it for
    /// <paramref name="overlap"/> (default <see cref="WebhookOptions.SecretRotationOverlap"/>, at most 30 days), so
    /// receivers can switch to the new public key without missing a request.
    /// </summary>
    /// <returns>The new public key (<c>whpk_…</c>) to give the receiver.</returns>
    /// <exception cref="KeyNotFoundException">No subscription has the id.</exception>
    Task<string> RotateSigningKeyAsync(string id, TimeSpan? overlap = null, CancellationToken cancellationToken = default);
}
