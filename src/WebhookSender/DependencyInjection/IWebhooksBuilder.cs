using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender;

/// <summary>Returned by <c>AddWebhooks()</c>; store adapters, event types and other add-ons are extension methods on it.</summary>
public interface IWebhooksBuilder
{
    /// <summary>The service collection the webhooks are registered in.</summary>
    IServiceCollection Services { get; }
}
