namespace WebhookSender;

/// <summary>
/// Thrown when a request or event is invalid. Nothing was stored. <see cref="Errors"/> maps each offending field to what is
/// wrong and how to fix it, ready for an HTTP 400 problem response.
/// </summary>
public sealed class WebhookValidationException : ArgumentException
{
    /// <summary>Creates the exception from field errors.</summary>
    public WebhookValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for one field.</summary>
    public WebhookValidationException(string field, string error)
        : this(new Dictionary<string, string[]> { [field] = [error] })
    {
    }

    /// <summary>Field name to error messages.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string BuildMessage(IReadOnlyDictionary<string, string[]> errors) =>
        "Invalid webhook request: " + string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
}
