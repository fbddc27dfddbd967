using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// The rules of <see cref="WebhookOptions"/> that attributes cannot state: across fields, over list items, and the start-up
/// check that a store is registered. The attributes are checked by <see cref="WebhookOptionsValidator"/>.
/// </summary>
internal sealed class WebhookOptionsCustomValidator(IServiceProviderIsService services) : IValidateOptions<WebhookOptions>
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

        if (options.Endpoints.MaxBreakDuration < options.Endpoints.BreakDuration)
        {
            failures.Add($"WebhookOptions.Endpoints.MaxBreakDuration ({options.Endpoints.MaxBreakDuration}) must be at least BreakDuration ({options.Endpoints.BreakDuration}).");
        }

        if (options.Endpoints.RateLimit?.Problem() is { } rateProblem)
        {
            failures.Add($"WebhookOptions.Endpoints.RateLimit: {rateProblem}");
        }

        if (options.Quotas.PerTenant is < 0)
        {
            failures.Add($"WebhookOptions.Quotas.PerTenant ({options.Quotas.PerTenant}) must be 0 (hold everything) or more requests per window, or null for none.");
        }

        foreach (var network in options.Destinations.AllowedNetworks)
        {
            if (!DestinationGuard.TryParseNetwork(network, out _))
            {
                failures.Add($"WebhookOptions.Destinations.AllowedNetworks has '{network}', which is not a network in CIDR notation such as 10.20.0.0/16 or fd00::/8.");
            }
        }

        if (options.Destinations.Proxy is { } proxy && SubscriptionValidator.ProxyProblem(proxy) is { } proxyProblem)
        {
            failures.Add($"WebhookOptions.Destinations.Proxy: {proxyProblem}");
        }

        foreach (var entry in options.Destinations.AllowedProxies)
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var allowed) || SubscriptionValidator.ProxyProblem(WebhookProxy.Through(allowed)) is not null)
            {
                failures.Add($"WebhookOptions.Destinations.AllowedProxies has '{(entry.Contains('@') ? "(an entry with credentials)" : entry)}', which is not a proxy URL such as http://10.0.0.6:3128 (http, a host and a port, nothing else).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
