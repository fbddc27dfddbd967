using Microsoft.Extensions.DependencyInjection.Extensions;
using WebhookSender;
using WebhookSender.InMemory;
using WebhookSender.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the in-memory store of WebhookSender.</summary>
public static class InMemoryWebhooksBuilderExtensions
{
    /// <summary>
    /// Keeps subscriptions, messages, the delivery queue and the attempt log in process memory, bounded by
    /// <see cref="InMemoryStoreOptions"/>. One instance serves as both <see cref="IWebhookStore"/> and
    /// <see cref="IDeliveryQueue"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Everything is lost when the process stops or restarts: subscriptions, pending deliveries and the delivery log.
    /// Use it for development, tests and demos. For durability use the Entity Framework Core store
    /// (<c>AddEntityFrameworkStore&lt;TContext&gt;()</c>).
    /// </para>
    /// <para>
    /// Registrations use <c>TryAdd</c>: a store registered earlier wins. The options are validated at start-up.
    /// </para>
    /// </remarks>
    /// <param name="builder">The builder returned by <c>AddWebhooks()</c>.</param>
    /// <param name="configure">Changes the store's limits; the defaults suit most development hosts.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IWebhooksBuilder AddInMemoryStore(this IWebhooksBuilder builder, Action<InMemoryStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var options = builder.Services.AddOptionsWithValidateOnStart<InMemoryStoreOptions, InMemoryStoreOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<InMemoryWebhookStore>();
        builder.Services.TryAddSingleton<IWebhookStore>(static services => services.GetRequiredService<InMemoryWebhookStore>());
        builder.Services.TryAddSingleton<IDeliveryQueue>(static services => services.GetRequiredService<InMemoryWebhookStore>());
        builder.Services.TryAddSingleton<IDeliveryBatchQueue>(static services => services.GetRequiredService<InMemoryWebhookStore>());
        builder.Services.TryAddSingleton<IWebhookFeedStore>(static services => services.GetRequiredService<InMemoryWebhookStore>());
        return builder;
    }
}
