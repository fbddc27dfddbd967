using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender;

internal sealed class WebhookSubscriptionManager(
    IWebhookStore store,
    SubscriptionValidator validator,
    SubscriptionTester tester,
    SubscriptionCache cache,
    IEnumerable<IWebhookFeedStore> feedStores,
    CredentialRedaction redaction,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookSubscriptionManager> logger) : IWebhookSubscriptions
{
    public async Task<CreatedSubscription> CreateAsync(WebhookSubscriptionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        validator.Validate(request);
        RefuseRedactedCertificate(request.ClientCertificate);

        var now = timeProvider.GetUtcNow();
        string secret = request.Secret ?? WebhookSecret.Generate();
        var subscription = new WebhookSubscription
        {
            Id = WebhookIds.NewSubscriptionId(now),
            TenantId = request.TenantId,
            CreatedAt = now,
            UpdatedAt = now,
            Url = request.Url,
            Secrets = [new WebhookSecret { Value = secret, CreatedAt = now }],
        };
        subscription = WithSigningKey(ApplySettings(subscription, request), now);

        await CheckTenantLimitAsync(subscription.TenantId, cancellationToken).ConfigureAwait(false);
        await store.AddSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
        cache.Invalidate(subscription.Id);
        Log.SubscriptionCreated(logger, subscription.Id, subscription.TenantId);
        if (options.Value.PingOnCreate && subscription.IsActive)
        {
            await QueuePingAsync(subscription, cancellationToken).ConfigureAwait(false);
        }

        return new CreatedSubscription(redaction.Redact(subscription), secret);
    }

    public async Task<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var subscription = await store.GetSubscriptionAsync(id, cancellationToken).ConfigureAwait(false);
        return subscription is null ? null : redaction.Redact(subscription);
    }

    public async Task<WebhookPage<WebhookSubscription>> ListAsync(SubscriptionQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new SubscriptionQuery();
        QueryLimits.Check(query.Limit);
        var page = await store.ListSubscriptionsAsync(query, cancellationToken).ConfigureAwait(false);
        return page with { Items = [.. page.Items.Select(redaction.Redact)] };
    }

    public async Task<WebhookSubscription> UpdateAsync(string id, WebhookSubscriptionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(request);
        validator.Validate(request);

        var now = timeProvider.GetUtcNow();
        bool wasPull = false;
        var updated = await ChangeAsync(id, current =>
        {
            wasPull = current.IsPull;
            if (request.TenantId != current.TenantId)
            {
                throw new WebhookValidationException(nameof(request.TenantId), "A subscription's tenant cannot change; create a new subscription for the other tenant.");
            }

            // A read API hands out the credential redacted; sending that back means "keep the stored one".
            if (request.Authentication is { Secret: WebhookAuthentication.RedactedSecret } sent && current.Authentication is { } stored && sent.Scheme == stored.Scheme)
            {
                request = request with { Authentication = sent with { Secret = stored.Secret } };
            }

            // Likewise for the static headers the host lists as redacted, the client certificate and the proxy password.
            request = request with
            {
                Headers = redaction.KeepRedactedHeaders(request.Headers, current),
                ClientCertificate = CredentialRedaction.KeepRedacted(request.ClientCertificate, current.ClientCertificate),
                Proxy = CredentialRedaction.KeepRedacted(request.Proxy, current.Proxy),
            };
            RefuseRedactedCertificate(request.ClientCertificate);

            var changed = WithSigningKey(ApplySettings(current, request), now) with { UpdatedAt = now };
            return request.Secret is null ? changed : changed with { Secrets = [new WebhookSecret { Value = request.Secret, CreatedAt = now }] };
        }, cancellationToken).ConfigureAwait(false);

        // A switch between push and pull takes the waiting deliveries along: queued ones join the feed, unread ones are queued.
        if (wasPull != updated.IsPull && feedStores.LastOrDefault() is { } feeds)
        {
            await feeds.MoveDeliveriesAsync(id, toFeed: updated.IsPull, now, cancellationToken).ConfigureAwait(false);
        }

        return redaction.Redact(updated);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        bool deleted = await store.DeleteSubscriptionAsync(id, cancellationToken).ConfigureAwait(false);
        cache.Invalidate(id);
        return deleted;
    }

    public async Task<string> PingAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var subscription = await store.GetSubscriptionAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
        return await QueuePingAsync(subscription, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WebhookTestReport> TestAsync(string id, string? eventType = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var subscription = await store.GetSubscriptionAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
        if (subscription.IsPull)
        {
            throw new WebhookValidationException("url", $"The subscription {id} has no URL (it is read by pull), so there is no endpoint to test; read it with IWebhookUpdates.ReadAsync instead.");
        }

        return await tester.TestAsync(subscription, eventType, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> GetSecretAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var subscription = await store.GetSubscriptionAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
        return CurrentSecret(subscription).Value;
    }

    public async Task<string> RotateSecretAsync(string id, string? newSecret = null, TimeSpan? overlap = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (newSecret is not null && WebhookSecret.TryDecode(newSecret, out var problem) is null)
        {
            throw new WebhookValidationException("Secret", problem!);
        }

        if (overlap is { } o && (o < TimeSpan.Zero || o > TimeSpan.FromDays(30)))
        {
            throw new WebhookValidationException("Overlap", "The overlap must be between 0 and 30 days.");
        }

        string secret = newSecret ?? WebhookSecret.Generate();
        var now = timeProvider.GetUtcNow();
        var expiresAt = now + (overlap ?? options.Value.SecretRotationOverlap);
        await ChangeAsync(id, current => current with
        {
            Secrets =
            [
                new WebhookSecret { Value = secret, CreatedAt = now },
                .. current.Secrets.Where(s => s.IsLiveAt(now)).Select(s => s with { ExpiresAt = s.ExpiresAt is { } e && e < expiresAt ? e : expiresAt }),
            ],
            UpdatedAt = now,
        }, cancellationToken).ConfigureAwait(false);
        return secret;
    }

    public async Task<WebhookSubscription> EnableAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var now = timeProvider.GetUtcNow();
        var updated = await ChangeAsync(id, current => current with
        {
            IsActive = true,
            DisabledAt = null,
            DisabledReason = null,
            ConsecutiveFailures = 0,
            FailingSince = null,
            UpdatedAt = now,
        }, cancellationToken).ConfigureAwait(false);
        return redaction.Redact(updated);
    }

    public async Task<WebhookSubscription> DisableAsync(string id, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var now = timeProvider.GetUtcNow();
        var updated = await ChangeAsync(id, current => current with
        {
            IsActive = false,
            DisabledAt = now,
            DisabledReason = reason ?? "Disabled by the host.",
            UpdatedAt = now,
        }, cancellationToken).ConfigureAwait(false);
        return redaction.Redact(updated);
    }

    public async Task<string> RotateSigningKeyAsync(string id, TimeSpan? overlap = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (overlap is { } o && (o < TimeSpan.Zero || o > TimeSpan.FromDays(30)))
        {
            throw new WebhookValidationException("Overlap", "The overlap must be between 0 and 30 days.");
        }

        var now = timeProvider.GetUtcNow();
        var key = WebhookSigningKey.Generate(now);
        var expiresAt = now + (overlap ?? options.Value.SecretRotationOverlap);
        await ChangeAsync(id, current => current with
        {
            SigningKeys =
            [
                key,
                .. current.SigningKeys.Where(k => k.IsLiveAt(now)).Select(k => k with { ExpiresAt = k.ExpiresAt is { } e && e < expiresAt ? e : expiresAt }),
            ],
            UpdatedAt = now,
        }, cancellationToken).ConfigureAwait(false);
        return key.PublicKey;
    }

    /// <summary>A subscription that signs <c>v1a</c> gets a key pair the first time (made here, never sent in by a caller).</summary>
    private static WebhookSubscription WithSigningKey(WebhookSubscription subscription, DateTimeOffset now) =>
        subscription.Signatures.HasFlag(WebhookSignatures.V1a) && !subscription.SigningKeys.Any(k => k.IsLiveAt(now))
            ? subscription with { SigningKeys = [WebhookSigningKey.Generate(now), .. subscription.SigningKeys] }
            : subscription;

    private static void RefuseRedactedCertificate(WebhookClientCertificate? certificate)
    {
        if (certificate?.Certificate == WebhookAuthentication.RedactedSecret)
        {
            throw new WebhookValidationException(
                nameof(WebhookSubscriptionRequest.ClientCertificate), "There is no stored client certificate that '********' could keep; give the certificate itself.");
        }
    }

    internal static WebhookSecret CurrentSecret(WebhookSubscription subscription) =>
        subscription.Secrets.Where(s => s.ExpiresAt is null).MaxBy(s => s.CreatedAt)
        ?? subscription.Secrets.MaxBy(s => s.CreatedAt)
        ?? throw new InvalidOperationException($"Subscription {subscription.Id} has no secret; rotate its secret to set one.");

    private static WebhookSubscription ApplySettings(WebhookSubscription subscription, WebhookSubscriptionRequest request) => subscription with
    {
        Name = request.Name,
        Description = request.Description,
        Url = request.Url,
        Method = request.Method,
        Format = request.Format,
        EventTypes = request.EventTypes is null ? [] : [.. request.EventTypes],
        IsActive = request.IsActive,
        RetrySchedule = request.RetrySchedule is null ? null : [.. request.RetrySchedule],
        Authentication = request.Authentication is null or { Scheme: WebhookAuthenticationScheme.None } ? null : request.Authentication,
        Headers = request.Headers is null ? WebhookSubscription.EmptyHeaders : new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase),
        Filters = request.Filters is null
            ? WebhookSubscription.EmptyFilters
            : request.Filters.ToDictionary(f => f.Key, IReadOnlyList<string> (f) => [.. f.Value], StringComparer.Ordinal),
        PayloadMode = request.PayloadMode,
        FieldMap = request.FieldMap is null ? null : new Dictionary<string, WebhookFieldSource>(request.FieldMap, StringComparer.Ordinal),
        Batching = request.Batching,
        Controls = request.Controls,
        ClientCertificate = request.ClientCertificate is null ? null : TlsCertificates.Describe(request.ClientCertificate),
        TrustedRoots = request.TrustedRoots is null ? [] : [.. request.TrustedRoots],
        Proxy = request.Proxy,
        Signatures = request.Signatures,
        ExpiresAt = request.ExpiresAt,
    };

    /// <summary>Counts the tenant's subscriptions a page at a time; refuses when the configured maximum is reached.</summary>
    private async Task CheckTenantLimitAsync(string? tenantId, CancellationToken cancellationToken)
    {
        if (options.Value.MaxSubscriptionsPerTenant is not { } max)
        {
            return;
        }

        int count = 0;
        var query = new SubscriptionQuery { TenantId = tenantId, Limit = QueryLimits.MaxPageSize };
        while (count < max)
        {
            var page = await store.ListSubscriptionsAsync(query, cancellationToken).ConfigureAwait(false);
            count += page.Items.Count(s => s.TenantId == tenantId);
            if (page.NextCursor is null)
            {
                break;
            }

            query = query with { Cursor = page.NextCursor };
        }

        if (count >= max)
        {
            string owner = tenantId is null ? "The host (no tenant)" : $"Tenant '{tenantId}'";
            throw new WebhookCapacityExceededException(
                $"{owner} already has {max} webhook subscriptions, the most allowed (WebhookOptions.MaxSubscriptionsPerTenant); delete one before creating another.");
        }
    }

    private async Task<WebhookSubscription> ChangeAsync(string id, Func<WebhookSubscription, WebhookSubscription?> change, CancellationToken cancellationToken)
    {
        var changed = await store.ChangeSubscriptionAsync(id, change, cancellationToken).ConfigureAwait(false);
        cache.Invalidate(id);
        return changed ?? throw NotFound(id);
    }

    private async Task<string> QueuePingAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        // A JsonObject rather than an anonymous object, which would need reflection to serialize (not there under native AOT).
        var ping = new WebhookEvent(EventTypeCatalog.PingType, new JsonObject { ["subscriptionId"] = subscription.Id, ["zen"] = "Webhooks are working." })
        {
            TenantId = subscription.TenantId,
        };
        var message = WebhookPublisher.CreateMessage(ping, now, options.Value.JsonSerializerOptions);
        await store.AddMessageAsync(message, [WebhookPublisher.NewDelivery(message, subscription, AttemptTrigger.Ping, now)], cancellationToken).ConfigureAwait(false);
        return message.Id;
    }

    private static KeyNotFoundException NotFound(string id) => new($"No webhook subscription has the id '{id}'.");
}
