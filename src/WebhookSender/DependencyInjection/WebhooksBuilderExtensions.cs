using Microsoft.Extensions.DependencyInjection.Extensions;
using WebhookSender;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Add-ons for the builder returned by <c>AddWebhooks()</c>.</summary>
public static class WebhooksBuilderExtensions
{
    /// <summary>
    /// Adds an event type to the catalog. Subscriptions and publishers may only name catalogued types. The built-in
    /// <c>webhook.ping</c> and a name already added are refused with an <see cref="ArgumentException"/>.
    /// </summary>
    /// <param name="builder">The webhooks builder.</param>
    /// <param name="name">The type name: dot-separated parts of letters, digits, '_' or '-', for example <c>order.updated</c>.</param>
    /// <param name="description">What the event means, for people choosing subscriptions.</param>
    /// <param name="example">An example payload, sent by tests and shown in catalogs.</param>
    public static IWebhooksBuilder AddEventType(this IWebhooksBuilder builder, string name, string description, object? example = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        EventTypeCatalog.ValidateName(name);
        if (name == EventTypeCatalog.PingType)
        {
            throw new ArgumentException(
                $"'{EventTypeCatalog.PingType}' is the built-in event type of pings and cannot be registered; choose another name, such as 'app.ping'.",
                nameof(name));
        }

        // Found here rather than when the catalog is first built (the first publish or subscription).
        if (builder.Services.Any(d => d.ServiceType == typeof(WebhookEventType) && d.ImplementationInstance is WebhookEventType registered && registered.Name == name))
        {
            throw new ArgumentException($"The event type '{name}' is already registered; register each type once.", nameof(name));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        builder.Services.AddSingleton(new WebhookEventType(name, description, example));
        return builder;
    }

    /// <summary>Registers a handler told about failed attempts, exhausted deliveries and disabled or recovered subscriptions.</summary>
    /// <typeparam name="THandler">The handler type, created once (singleton).</typeparam>
    /// <param name="builder">The webhooks builder.</param>
    public static IWebhooksBuilder AddNotificationHandler<THandler>(this IWebhooksBuilder builder)
        where THandler : class, IWebhookNotificationHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IWebhookNotificationHandler, THandler>());
        return builder;
    }

    /// <summary>
    /// Registers a body format. Subscriptions choose it by <see cref="IEventSerializer.Format"/>; a serializer with the name
    /// of a built-in format replaces it.
    /// </summary>
    /// <typeparam name="TSerializer">The serializer, created once (singleton).</typeparam>
    /// <param name="builder">The webhooks builder.</param>
    public static IWebhooksBuilder AddSerializer<TSerializer>(this IWebhooksBuilder builder)
        where TSerializer : class, IEventSerializer
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IEventSerializer, TSerializer>();
        return builder;
    }

    /// <summary>
    /// Configures the <see cref="HttpClient"/> deliveries are sent with, for example to add a handler. Its primary handler
    /// enforces the destination guard and never follows redirects; replace it only in tests.
    /// </summary>
    /// <param name="builder">The webhooks builder.</param>
    /// <param name="configure">Receives the named client's <see cref="IHttpClientBuilder"/>.</param>
    public static IWebhooksBuilder ConfigureHttpClient(this IWebhooksBuilder builder, Action<IHttpClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        configure(builder.Services.AddHttpClient(WebhookHttpSender.HttpClientName));
        return builder;
    }
}
