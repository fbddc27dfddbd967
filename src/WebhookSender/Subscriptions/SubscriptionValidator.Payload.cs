namespace WebhookSender;

/// <summary>Filters, payload modes, field maps and batching: what is sent, and when.</summary>
internal sealed partial class SubscriptionValidator
{
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
}
