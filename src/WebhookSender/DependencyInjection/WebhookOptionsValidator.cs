using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>Cross-field rules for <see cref="WebhookOptions"/> and the start-up check that a store is registered.</summary>
internal sealed class WebhookOptionsValidator(IServiceProviderIsService services) : IValidateOptions<WebhookOptions>
{
    public const string MissingStoreMessage =
        "No webhook store is registered. Call AddInMemoryStore() (volatile, single process) or AddEntityFrameworkStore<TContext>() (durable) on the builder returned by AddWebhooks().";

    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (!services.IsService(typeof(IWebhookStore)) || !services.IsService(typeof(IDeliveryQueue)))
        {
            failures.Add(MissingStoreMessage);
        }

        if (options.RetrySchedule is null)
        {
            failures.Add("WebhookOptions.RetrySchedule is null; give a list of delays (it may be empty for no retries).");
        }
        else
        {
            SubscriptionValidator.ValidateRetrySchedule(options.RetrySchedule, "WebhookOptions.RetrySchedule", (field, error) => failures.Add($"{field}: {error}"));
        }

        if (options.UserAgent is { } userAgent && !SubscriptionValidator.IsHeaderText(userAgent))
        {
            // The value is not quoted: its line breaks would break this message too.
            failures.Add("WebhookOptions.UserAgent must be printable ASCII without line breaks or control characters (a line break would inject headers into every request); use a product token such as MyApp-Webhooks/1.0.");
        }

        if (options.LeaseDuration < options.AttemptTimeout * 2)
        {
            failures.Add($"WebhookOptions.LeaseDuration ({options.LeaseDuration}) must be at least twice AttemptTimeout ({options.AttemptTimeout}), so a lease cannot lapse while its attempt is still running.");
        }

        ValidateEndpoints(options.Endpoints, failures);

        foreach (var network in options.Destinations.AllowedNetworks)
        {
            if (!DestinationGuard.TryParseNetwork(network, out _))
            {
                failures.Add($"WebhookOptions.Destinations.AllowedNetworks has '{network}', which is not a network in CIDR notation such as 10.20.0.0/16 or fd00::/8.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateEndpoints(WebhookEndpointOptions endpoints, List<string> failures)
    {
        if (endpoints.MaxConcurrency is < 1 or > 4096)
        {
            failures.Add($"WebhookOptions.Endpoints.MaxConcurrency ({endpoints.MaxConcurrency}) must be 1 to 4096, or null for a quarter of MaxConcurrency.");
        }

        if (endpoints.MaxProbationConcurrency is < 1 or > 65536)
        {
            failures.Add($"WebhookOptions.Endpoints.MaxProbationConcurrency ({endpoints.MaxProbationConcurrency}) must be 1 to 65536.");
        }

        if (endpoints.FailureThreshold is < 0 or > 1000)
        {
            failures.Add($"WebhookOptions.Endpoints.FailureThreshold ({endpoints.FailureThreshold}) must be 0 (never open the circuit) to 1000.");
        }

        if (endpoints.BreakDuration < TimeSpan.FromMilliseconds(100) || endpoints.BreakDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"WebhookOptions.Endpoints.BreakDuration ({endpoints.BreakDuration}) must be 100 ms to 1 day.");
        }

        if (endpoints.MaxBreakDuration < endpoints.BreakDuration || endpoints.MaxBreakDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"WebhookOptions.Endpoints.MaxBreakDuration ({endpoints.MaxBreakDuration}) must be at least BreakDuration ({endpoints.BreakDuration}) and at most 1 day.");
        }
    }
}
