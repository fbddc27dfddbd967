using System.Diagnostics.CodeAnalysis;
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
    public static IWebhooksBuilder AddEventType(this IWebhooksBuilder builder, string name, string description, object? example = null) =>
        AddEventType(builder, new WebhookEventType(name, description, example));

    private static IWebhooksBuilder AddEventType(IWebhooksBuilder builder, WebhookEventType type)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var (name, description) = (type.Name, type.Description);
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
        builder.Services.AddSingleton(type);
        return builder;
    }

    /// <summary>
    /// Adds an event type whose data is a <typeparamref name="TPayload"/>: the catalog then carries the JSON Schema of
    /// the data, derived from the type with the serializer options payloads are written with, so the catalog a
    /// customer reads cannot drift from the code. Otherwise as <see cref="AddEventType(IWebhooksBuilder, string, string, object?)"/>.
    /// C# infers <typeparamref name="TPayload"/> from a typed example (an anonymous one too); pass the example as
    /// <see cref="object"/> to register a type without a schema.
    /// </summary>
    /// <typeparam name="TPayload">The type of the data published with this event type.</typeparam>
    /// <param name="builder">The webhooks builder.</param>
    /// <param name="name">The type name: dot-separated parts of letters, digits, '_' or '-', for example <c>order.updated</c>.</param>
    /// <param name="description">What the event means, for people choosing subscriptions.</param>
    /// <param name="example">An example of the data, sent by ping and test and shown in catalogs.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IWebhooksBuilder AddEventType<TPayload>(this IWebhooksBuilder builder, string name, string description, TPayload example) =>
        AddEventType(builder, new WebhookEventType(name, description, example) { PayloadType = typeof(TPayload) });

    /// <summary>Registers a handler told about failed attempts, exhausted deliveries and disabled or recovered subscriptions.</summary>
    /// <typeparam name="THandler">The handler type, created once (singleton).</typeparam>
    /// <param name="builder">The webhooks builder.</param>
    public static IWebhooksBuilder AddNotificationHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this IWebhooksBuilder builder)
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
    public static IWebhooksBuilder AddSerializer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSerializer>(this IWebhooksBuilder builder)
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
