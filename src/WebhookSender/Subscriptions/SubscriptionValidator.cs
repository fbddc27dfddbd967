namespace WebhookSender;

/// <summary>Checks a subscription request before anything is stored; collects every problem, not just the first.</summary>
internal sealed partial class SubscriptionValidator(
    EventTypeCatalog catalog, SerializerRegistry serializers, IEnumerable<IDeliveryBatchQueue> batchQueues, TimeProvider timeProvider)
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

        ValidateUrl(request.Url, Add);

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

        if (request.TenantId is not null && (string.IsNullOrWhiteSpace(request.TenantId) || request.TenantId.Length > MaxTenantIdLength))
        {
            Add(nameof(request.TenantId), $"The tenant id must be null or 1 to {MaxTenantIdLength} non-blank characters.");
        }

        ValidateEventTypes(request.EventTypes, Add);

        if (request.Secret is not null && WebhookSecret.TryDecode(request.Secret, out var secretProblem) is null)
        {
            Add(nameof(request.Secret), secretProblem!);
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
        ValidateHeaders(request.Headers, Add);
        ValidateFilters(request.Filters, Add);
        ValidatePayload(request, Add);

        if (request.ExpiresAt is { } expiresAt && expiresAt <= timeProvider.GetUtcNow())
        {
            Add(nameof(request.ExpiresAt), "The expiry time is in the past; give a future time, or null for a subscription that never expires.");
        }

        if (errors.Count > 0)
        {
            throw new WebhookValidationException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }

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

    private static void ValidateAuthentication(WebhookAuthentication? auth, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.Authentication);
        switch (auth?.Scheme)
        {
            case null or WebhookAuthenticationScheme.None:
                return;
            case WebhookAuthenticationScheme.Basic:
                if (string.IsNullOrEmpty(auth.Username) || auth.Username.Contains(':') || HasControlChars(auth.Username))
                {
                    add(field, "Basic authentication needs a user name without ':' or control characters.");
                }

                break;
            case WebhookAuthenticationScheme.Bearer:
                if (auth.Secret is not null && auth.Secret.Any(char.IsWhiteSpace))
                {
                    add(field, "A Bearer token cannot contain spaces or line breaks.");
                }

                break;
            case WebhookAuthenticationScheme.Header:
                if (!IsHeaderName(auth.HeaderName))
                {
                    add(field, "Header authentication needs a header name of letters, digits and '-' (for example X-Api-Key).");
                }
                else if (IsReservedHeader(auth.HeaderName!) && !string.Equals(auth.HeaderName, "Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    add(field, $"The header '{auth.HeaderName}' is set by WebhookSender and cannot carry a key; choose another name such as X-Api-Key.");
                }

                break;
            default:
                add(field, $"The authentication scheme '{auth.Scheme}' is not supported; use Basic, Bearer or Header.");
                return;
        }

        // Never echo the credential itself.
        if (string.IsNullOrEmpty(auth.Secret) || auth.Secret.Length > MaxHeaderValueLength || HasControlChars(auth.Secret))
        {
            add(field, $"The {auth.Scheme} credential must be 1 to {MaxHeaderValueLength} characters without line breaks or control characters.");
        }
    }

    private static void ValidateHeaders(IReadOnlyDictionary<string, string>? headers, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.Headers);
        if (headers is null)
        {
            return;
        }

        if (headers.Count > MaxHeaders)
        {
            add(field, $"There are {headers.Count} custom headers; at most {MaxHeaders} are allowed.");
        }

        foreach (var (name, value) in headers)
        {
            if (!IsHeaderName(name))
            {
                add(field, $"'{name}' is not a valid header name; use letters, digits and '-'.");
            }
            else if (IsReservedHeader(name))
            {
                add(field, $"The header '{name}' is set by WebhookSender; use Authentication for credentials, or choose another name.");
            }

            if (value is null || value.Length > MaxHeaderValueLength || HasControlChars(value))
            {
                add(field, $"The value of header '{name}' must be at most {MaxHeaderValueLength} characters without line breaks or control characters.");
            }
        }
    }

    private static void ValidateFilters(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.Filters);
        if (filters is null)
        {
            return;
        }

        if (filters.Count > MaxFilters)
        {
            add(field, $"There are {filters.Count} filters; at most {MaxFilters} are allowed.");
        }

        foreach (var (key, values) in filters)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxFilterLength)
            {
                add(field, $"A filter attribute name must be 1 to {MaxFilterLength} non-blank characters.");
            }

            if (values is null || values.Count == 0 || values.Count > MaxFilterValues || values.Any(v => v is null || v.Length > MaxFilterLength))
            {
                add(field, $"The filter on '{key}' needs 1 to {MaxFilterValues} values of at most {MaxFilterLength} characters; an event passes when its attribute is one of them.");
            }
        }
    }

    private readonly bool _canBatch = batchQueues.Any();

    private void ValidatePayload(WebhookSubscriptionRequest request, Action<string, string> add)
    {
        if (!Enum.IsDefined(request.PayloadMode))
        {
            add(nameof(request.PayloadMode), $"The payload mode '{request.PayloadMode}' is not supported; use Envelope, Data or Mapped.");
        }

        if (request.PayloadMode == WebhookPayloadMode.Mapped)
        {
            if (request.FieldMap is not { Count: > 0 and <= MaxMappedFields } map)
            {
                add(nameof(request.FieldMap), $"The Mapped payload mode needs a field map of 1 to {MaxMappedFields} fields (output name to path or constant).");
            }
            else
            {
                foreach (var (name, source) in map)
                {
                    if (string.IsNullOrWhiteSpace(name) || name.Length > MaxFilterLength)
                    {
                        add(nameof(request.FieldMap), $"A mapped field name must be 1 to {MaxFilterLength} non-blank characters.");
                    }

                    if (source is null || (source.Path is null) == (source.Constant is null))
                    {
                        add(nameof(request.FieldMap), $"The field '{name}' needs either a path (FromPath(\"data.order.id\")) or a constant (FromConstant(\"…\")), not both.");
                    }
                    else if (source.Path is { } path && !FieldPath().IsMatch(path))
                    {
                        add(nameof(request.FieldMap), $"The path '{path}' of field '{name}' is not valid: use dot-separated names and array indexes, such as data.items.0.sku.");
                    }
                }
            }
        }
        else if (request.FieldMap is not null)
        {
            add(nameof(request.FieldMap), "A field map only applies with PayloadMode = Mapped; set the mode or remove the map.");
        }

        if (request.Batching is { } batching)
        {
            if (!_canBatch)
            {
                add(nameof(request.Batching), "The registered store cannot lease batches (it does not implement IDeliveryBatchQueue); remove Batching or use a store that supports it.");
            }

            if (batching.Window < TimeSpan.FromSeconds(1) || batching.Window > TimeSpan.FromHours(24) || batching.MaxSize is < 1 or > MaxBatchSize)
            {
                add(nameof(request.Batching), $"A batch window must be 1 second to 24 hours and the batch size 1 to {MaxBatchSize}.");
            }

            if (!string.Equals(request.Format, WebhookFormats.JsonArray, StringComparison.OrdinalIgnoreCase) || request.PayloadMode != WebhookPayloadMode.Envelope)
            {
                add(nameof(request.Batching), "Batches are sent as an array of envelopes: set Format = \"jsonarray\" and PayloadMode = Envelope.");
            }
        }
    }

    private static bool IsHeaderName(string? name) => !string.IsNullOrEmpty(name) && name.Length <= 100 && HeaderName().IsMatch(name);

    private static bool IsReservedHeader(string name) =>
        ReservedHeaders.Contains(name) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("content-", StringComparison.OrdinalIgnoreCase);

    private static bool HasControlChars(string value) => value.Any(char.IsControl);

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "User-Agent", "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Expect", "TE", "Trailer", "Proxy-Authorization", "Cookie",
    };

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial System.Text.RegularExpressions.Regex HeaderName();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[^.\s]+(\.[^.\s]+)*$")]
    private static partial System.Text.RegularExpressions.Regex FieldPath();

    private static void ValidateUrl(Uri? url, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.Url);
        if (url is null)
        {
            add(field, "A URL is required, for example https://example.com/webhooks.");
            return;
        }

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
