using Microsoft.Extensions.Diagnostics.HealthChecks;
using WebhookSender;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the webhooks' health check.</summary>
public static class WebhooksHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that this process's dispatcher runs, the store answers, and the backlog of due deliveries is within
    /// <paramref name="configure"/>'s thresholds (by default Degraded when the oldest due delivery has waited a minute,
    /// Unhealthy at ten). Needs <c>AddWebhooks()</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">The thresholds; see <see cref="WebhookHealthCheckOptions"/>.</param>
    /// <param name="name">The check's name. Default "webhooks".</param>
    /// <param name="tags">Tags to filter checks by, for example "ready".</param>
    public static IHealthChecksBuilder AddWebhooks(
        this IHealthChecksBuilder builder, Action<WebhookHealthCheckOptions>? configure = null, string name = "webhooks", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new WebhookHealthCheckOptions();
        configure?.Invoke(options);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => ActivatorUtilities.CreateInstance<WebhookHealthCheck>(sp, options),
            failureStatus: null,
            tags,
            timeout: null));
    }
}
