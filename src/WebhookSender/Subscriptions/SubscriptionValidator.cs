namespace WebhookSender;

/// <summary>Checks a subscription request before anything is stored; collects every problem, not just the first.</summary>
internal sealed partial class SubscriptionValidator(
    EventTypeCatalog catalog,
    SerializerRegistry serializers,
    IEnumerable<IDeliveryBatchQueue> batchQueues,
    IEnumerable<IDeliveryQueue> queues,
    IEnumerable<IWebhookFeedStore> feedStores,
    TimeProvider timeProvider)
{
    public const int MaxUrlLength = 2048;
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;
    public const int MaxTenantIdLength = 256;
    public const int MaxRetries = 50;
    public const int MaxHeaders = 20;
    public const int MaxHeaderValueLength = 2048;
    public const int MaxFilters = 20;
    public const int MaxFilterValues = 100;
    public const int MaxFilterLength = 256;
    public const int MaxMappedFields = 100;
    public const int MaxBatchSize = 1000;
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromDays(7);

    public void Validate(WebhookSubscriptionRequest request)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string error)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(error);
        }

        if (request.Url is null)
        {
            ValidatePull(request, Add);
        }
        else
        {
            ValidateUrl(request.Url, Add);
        }

        if (request.Name is { Length: > MaxNameLength })
        {
            Add(nameof(request.Name), $"The name has {request.Name.Length} characters; at most {MaxNameLength} are allowed.");
        }

        if (request.Name is not null && request.Name.Any(char.IsControl))
        {
            Add(nameof(request.Name), "The name contains control characters (such as line breaks); use plain text.");
        }

        if (request.Description is { Length: > MaxDescriptionLength })
        {
            Add(nameof(request.Description), $"The description has {request.Description.Length} characters; at most {MaxDescriptionLength} are allowed.");
        }

        if (TenantIdProblem(request.TenantId) is { } tenantProblem)
        {
            Add(nameof(request.TenantId), tenantProblem);
        }

        ValidateEventTypes(request.EventTypes, Add);

        if (request.Secret is not null && WebhookSecret.TryDecode(request.Secret, out var secretProblem) is null)
        {
            Add(nameof(request.Secret), secretProblem!);
        }

        if (request.Signatures is not (WebhookSignatures.V1 or WebhookSignatures.V1a or (WebhookSignatures.V1 | WebhookSignatures.V1a)))
        {
            Add(nameof(request.Signatures), $"The signatures '{request.Signatures}' are not supported; use V1 (HMAC), V1a (Ed25519) or both.");
        }

        if (!Enum.IsDefined(request.Method))
        {
            Add(nameof(request.Method), $"The method '{request.Method}' is not supported; use Post or Put.");
        }

        if (string.IsNullOrWhiteSpace(request.Format) || !serializers.Contains(request.Format))
        {
            Add(nameof(request.Format), $"The format '{request.Format}' is not registered. Use one of: {string.Join(", ", serializers.Formats)}.");
        }

        if (request.RetrySchedule is { } schedule)
        {
            ValidateRetrySchedule(schedule, nameof(request.RetrySchedule), Add);
        }

        ValidateAuthentication(request.Authentication, Add);
        if (request.Url is not null)
        {
            ValidateTransport(request, Add);
        }
        ValidateHeaders(request.Headers, Add);
        ValidateFilters(request.Filters, Add);
        ValidatePayload(request, Add);
        ValidateControls(request, Add);

        if (request.ExpiresAt is { } expiresAt && expiresAt <= timeProvider.GetUtcNow())
        {
            Add(nameof(request.ExpiresAt), "The expiry time is in the past; give a future time, or null for a subscription that never expires.");
        }

        if (errors.Count > 0)
        {
            throw new WebhookValidationException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }

    /// <summary>What is wrong with a tenant id of a subscription or an event, or <see langword="null"/> when it is fine.</summary>
    public static string? TenantIdProblem(string? tenantId) => tenantId switch
    {
        null => null,
        _ when string.IsNullOrWhiteSpace(tenantId) || tenantId.Length > MaxTenantIdLength => $"The tenant id must be null or 1 to {MaxTenantIdLength} non-blank characters.",
        _ when HasControlChars(tenantId) => "The tenant id contains control characters (such as line breaks); use plain text, such as the tenant's key in your database.",
        _ => null,
    };

    public static void ValidateRetrySchedule(IReadOnlyList<TimeSpan> schedule, string field, Action<string, string> add)
    {
        if (schedule.Count > MaxRetries)
        {
            add(field, $"The retry schedule has {schedule.Count} entries; at most {MaxRetries} are allowed.");
        }

        if (schedule.Any(d => d < TimeSpan.Zero || d > MaxRetryDelay))
        {
            add(field, $"Every retry delay must be between 0 and {MaxRetryDelay.TotalDays} days.");
        }
    }

    private static void ValidateUrl(Uri url, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.Url);
        if (!url.IsAbsoluteUri)
        {
            add(field, $"The URL '{url}' is relative; give an absolute http or https URL such as https://example.com/webhooks.");
            return;
        }

        if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
        {
            add(field, $"The URL scheme '{url.Scheme}' is not supported; use https (or http).");
        }

        if (string.IsNullOrEmpty(url.Host))
        {
            add(field, "The URL has no host name.");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            // Never echo the user info: it is a credential.
            add(field, "The URL contains credentials (user:password@host); remove them and use the subscription's authentication settings.");
        }

        if (url.Port == 0)
        {
            add(field, "The URL has port 0, where no server can listen; give the endpoint's port (1 to 65535), or none for the scheme's default.");
        }

        if (!string.IsNullOrEmpty(url.Fragment))
        {
            add(field, "The URL has a fragment (#...), which is never sent to the server; remove it.");
        }

        if (url.OriginalString.Length > MaxUrlLength)
        {
            add(field, $"The URL has {url.OriginalString.Length} characters; at most {MaxUrlLength} are allowed.");
        }
    }

    private void ValidateEventTypes(IReadOnlyList<string>? eventTypes, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.EventTypes);
        if (eventTypes is null || eventTypes.Count == 0)
        {
            return;
        }

        if (eventTypes.Any(string.IsNullOrWhiteSpace))
        {
            add(field, "An event type is empty; list type names such as 'order.updated', or '*' for every type.");
        }

        if (eventTypes.Contains(WebhookSubscriptionRequest.AllEventTypes) && eventTypes.Count > 1)
        {
            add(field, "'*' already means every type; give either '*' alone or a list of types.");
        }

        var duplicates = eventTypes.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            add(field, $"Event types are listed more than once: {string.Join(", ", duplicates)}.");
        }

        var unknown = eventTypes
            .Where(t => !string.IsNullOrWhiteSpace(t) && t != WebhookSubscriptionRequest.AllEventTypes && !catalog.IsPublishable(t))
            .ToList();
        if (unknown.Count > 0)
        {
            add(field, $"Unknown event types: {string.Join(", ", unknown)}. {catalog.DescribeKnownTypes()}");
        }
    }
}
