using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WebhookSender;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers WebhookSender.</summary>
public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Adds the webhook publisher, subscription and delivery services, and the background dispatcher. Then add a store,
    /// for example <c>.AddInMemoryStore()</c>, and the event types: <c>.AddEventType("order.updated", "An order changed")</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional configuration of <see cref="WebhookOptions"/>, validated at start-up.</param>
    /// <returns>The builder for store adapters, event types and other add-ons.</returns>
    public static IWebhooksBuilder AddWebhooks(this IServiceCollection services, Action<WebhookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptionsWithValidateOnStart<WebhookOptions, WebhookOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsCustomValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        services.TryAddSingleton<EventTypeCatalog>();
        services.TryAddSingleton<IWebhookEventTypes>(sp => sp.GetRequiredService<EventTypeCatalog>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventSerializer, JsonEventSerializer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventSerializer, JsonArrayEventSerializer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventSerializer, XmlEventSerializer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventSerializer, FormEventSerializer>());
        services.TryAddSingleton<SerializerRegistry>();
        services.TryAddSingleton<IWebhookSigner, StandardWebhookSigner>();
        services.TryAddSingleton<SubscriptionValidator>();
        services.TryAddSingleton<SubscriptionTester>();
        services.TryAddSingleton<WebhookTelemetry>();
        services.TryAddSingleton<DispatcherStatus>();
        services.TryAddSingleton<PayloadBuilder>();
        services.TryAddSingleton<RetryPolicy>();
        services.TryAddSingleton<CredentialRedaction>();
        services.TryAddSingleton<NotificationPublisher>();
        services.TryAddSingleton<OAuth2Tokens>();
        services.TryAddSingleton<EndpointTransports>();
        services.TryAddSingleton<WebhookHttpSender>();
        services.TryAddSingleton<SubscriptionHealth>();
        services.TryAddSingleton<SubscriptionCache>();
        services.TryAddSingleton<LeaseEndWriter>();
        services.TryAddSingleton<AttemptRecorder>();
        services.TryAddSingleton<LocalDeliveries>();
        services.TryAddSingleton<WorkSource>();
        services.TryAddSingleton<EndpointGates>();
        services.TryAddSingleton<EndpointRateLimits>();
        services.TryAddSingleton<QuotaRaises>();
        services.TryAddSingleton<DeliveryQuotas>();
        services.TryAddSingleton<DeliveryProcessor>();

        services.TryAddSingleton<IWebhookPublisher, WebhookPublisher>();
        services.TryAddSingleton<IWebhookSubscriptions, WebhookSubscriptionManager>();
        services.TryAddSingleton<IWebhookDeliveries, WebhookDeliveryLog>();
        services.TryAddSingleton<FeedSignal>();
        services.TryAddSingleton<IWebhookUpdates, UpdateReader>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IHostedService, WebhookDispatcher>(sp =>
        {
            // The host creates hosted services before it validates options: say what is missing instead of a DI error.
            if (sp.GetService<IDeliveryQueue>() is null)
            {
                throw new InvalidOperationException(WebhookOptionsCustomValidator.MissingStoreMessage);
            }

            return ActivatorUtilities.CreateInstance<WebhookDispatcher>(sp);
        }));

        // No resilience handler by default: the dispatcher's own AttemptTimeout bounds each attempt (headers and body) and
        // its retry schedule retries. A host may add one with ConfigureHttpClient (a circuit breaker, say); what it throws
        // is a failed attempt.
        services.AddHttpClient(WebhookHttpSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var settings = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
                var propagator = TraceParentPropagator.For(settings.PropagateTraceContext);
                return new TransportSelector(settings.Destinations, handler => handler.ActivityHeadersPropagator = propagator);
            })
            .RemoveAllLoggers(); // the default loggers write full URLs, which may carry secrets; the dispatcher logs its own lines

        return new WebhooksBuilder(services);
    }

    private sealed class WebhooksBuilder(IServiceCollection services) : IWebhooksBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
