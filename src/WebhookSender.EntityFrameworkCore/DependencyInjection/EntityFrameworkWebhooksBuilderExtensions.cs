using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WebhookSender;
using WebhookSender.EntityFrameworkCore;
using WebhookSender.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Entity Framework Core store of WebhookSender.</summary>
public static class EntityFrameworkWebhooksBuilderExtensions
{
    /// <summary>
    /// Keeps subscriptions, messages, the delivery queue and the attempt log in the host's database through
    /// <typeparamref name="TContext"/>, whose model must include the webhook tables (<c>modelBuilder.AddWebhookSender()</c>).
    /// One singleton serves as <see cref="IWebhookStore"/>, <see cref="IDeliveryQueue"/> and <see cref="IDeliveryBatchQueue"/>. Runs on PostgreSQL
    /// (several app instances may share the work) and SQLite.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Register the context with <c>AddDbContext</c> or <c>AddDbContextFactory</c>: the store takes a fresh context for each
    /// operation. It also adds an interceptor to the context's options, so work published with
    /// <c>publisher.PublishAsync(dbContext, …)</c> (the transactional outbox) wakes the dispatchers as soon as the host commits.
    /// </para>
    /// <para>
    /// A hosted heartbeat registers the instance in <c>webhook_instances</c> and renews it every
    /// <see cref="EntityFrameworkStoreOptions.HeartbeatInterval"/>; instances take over the deliveries of one whose heartbeat
    /// stopped for <see cref="EntityFrameworkStoreOptions.InstanceTimeout"/>, long before its leases expire.
    /// </para>
    /// <para>
    /// Registrations use <c>TryAdd</c>: a store registered earlier wins. The options are validated at start-up.
    /// </para>
    /// </remarks>
    /// <typeparam name="TContext">The host's context.</typeparam>
    /// <param name="builder">The builder returned by <c>AddWebhooks()</c>.</param>
    /// <param name="configure">Changes polling, notifications, the instance name and heartbeat, and retention.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IWebhooksBuilder AddEntityFrameworkStore<TContext>(this IWebhooksBuilder builder, Action<EntityFrameworkStoreOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        var options = services.AddOptionsWithValidateOnStart<EntityFrameworkStoreOptions, EntityFrameworkStoreOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EntityFrameworkStoreOptions>, EntityFrameworkStoreOptionsCustomValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EntityFrameworkStoreOptions>, ContextRegistrationValidator<TContext>>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IWebhookContextFactory, WebhookContextFactory<TContext>>();
        services.TryAddSingleton<WorkNotifications>();
        services.TryAddSingleton(static sp => new SubscriptionDocuments(sp.GetService<IWebhookSecretProtector>()));
        services.TryAddSingleton<LeaseFence>();
        services.TryAddSingleton<EntityFrameworkWebhookStore>();
        services.TryAddSingleton<IWebhookStore>(static sp => sp.GetRequiredService<EntityFrameworkWebhookStore>());
        services.TryAddSingleton<IDeliveryQueue>(static sp => sp.GetRequiredService<EntityFrameworkWebhookStore>());
        services.TryAddSingleton<IDeliveryBatchQueue>(static sp => sp.GetRequiredService<EntityFrameworkWebhookStore>());
        services.TryAddSingleton<IDeliveryLimitStore>(static sp => sp.GetRequiredService<EntityFrameworkWebhookStore>());
        services.TryAddSingleton<IWebhookFeedStore>(static sp => sp.GetRequiredService<EntityFrameworkWebhookStore>());
        services.TryAddSingleton<OutboxCommitInterceptor>();
        services.TryAddSingleton<InstanceHeartbeat>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InstanceHeartbeat>(static sp => sp.GetRequiredService<InstanceHeartbeat>()));
        services.TryAddSingleton<RetentionCleanup>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RetentionCleanup>(static sp => sp.GetRequiredService<RetentionCleanup>()));
        services.ConfigureDbContext<TContext>(
            static (sp, context) => context.AddInterceptors(sp.GetRequiredService<OutboxCommitInterceptor>()),
            ServiceLifetime.Singleton);
        return builder;
    }

    /// <summary>
    /// Protects stored subscriptions (signing secrets, endpoint credentials and the rest of the subscription document)
    /// with ASP.NET Core Data Protection. Call <c>services.AddDataProtection()</c> with a key ring every instance shares
    /// and keeps (<c>PersistKeysTo…</c>, <c>SetApplicationName</c>, <c>ProtectKeysWith…</c>): without the key, a subscription
    /// cannot be read and its use fails with an error that says so.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddWebhooks()</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IWebhooksBuilder ProtectStoredSecrets(this IWebhooksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EntityFrameworkStoreOptions>, DataProtectionRegistrationValidator>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IWebhookSecretProtector>(
            static sp => new DataProtectionSecretProtector(sp.GetService<IDataProtectionProvider>() ?? throw new InvalidOperationException(DataProtectionRegistrationValidator.Message))));
        return builder;
    }

    /// <summary>
    /// Protects stored subscriptions with your own <typeparamref name="TProtector"/> (for example envelope encryption with a
    /// key management service). It is created once (singleton).
    /// </summary>
    /// <typeparam name="TProtector">The protector.</typeparam>
    /// <param name="builder">The builder returned by <c>AddWebhooks()</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IWebhooksBuilder ProtectStoredSecrets<TProtector>(this IWebhooksBuilder builder)
        where TProtector : class, IWebhookSecretProtector
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IWebhookSecretProtector, TProtector>());
        return builder;
    }

    /// <summary>Fails start-up when the store's context is not registered.</summary>
    private sealed class ContextRegistrationValidator<TContext>(IServiceProviderIsService services) : IValidateOptions<EntityFrameworkStoreOptions>
        where TContext : DbContext
    {
        public ValidateOptionsResult Validate(string? name, EntityFrameworkStoreOptions options) =>
            services.IsService(typeof(TContext)) || services.IsService(typeof(IDbContextFactory<TContext>))
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"AddEntityFrameworkStore<{typeof(TContext).Name}>() needs the context: register it with AddDbContext<{typeof(TContext).Name}>() or AddDbContextFactory<{typeof(TContext).Name}>(), and call modelBuilder.AddWebhookSender() in its OnModelCreating.");
    }

    /// <summary>Fails start-up when <c>ProtectStoredSecrets()</c> has no Data Protection to use.</summary>
    private sealed class DataProtectionRegistrationValidator(IServiceProviderIsService services) : IValidateOptions<EntityFrameworkStoreOptions>
    {
        public const string Message =
            "ProtectStoredSecrets() uses ASP.NET Core Data Protection, which is not registered: call services.AddDataProtection() with a key ring " +
            "every instance shares and keeps (PersistKeysToFileSystem or PersistKeysToDbContext, and SetApplicationName).";

        public ValidateOptionsResult Validate(string? name, EntityFrameworkStoreOptions options) =>
            services.IsService(typeof(IDataProtectionProvider)) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(Message);
    }
}
