using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore.Tests.DependencyInjection;

public sealed class AddEntityFrameworkStoreTests
{
    [Fact]
    public void One_singleton_serves_as_store_and_queue_and_the_context_gets_the_outbox_interceptor()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<TestDbContext>(o => o.UseSqlite("Data Source=:memory:"));
        services.AddWebhooks().AddEntityFrameworkStore<TestDbContext>(o => o.PollInterval = TimeSpan.FromMilliseconds(250));
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var store = provider.GetRequiredService<IWebhookStore>();
        Assert.IsType<EntityFrameworkWebhookStore>(store);
        Assert.Same(store, provider.GetRequiredService<IDeliveryQueue>());
        Assert.Equal(TimeSpan.FromMilliseconds(250), provider.GetRequiredService<IOptions<EntityFrameworkStoreOptions>>().Value.PollInterval);
        using var scope = provider.CreateScope();
        var options = scope.ServiceProvider.GetRequiredService<DbContextOptions<TestDbContext>>();
        var interceptors = options.FindExtension<Microsoft.EntityFrameworkCore.Infrastructure.CoreOptionsExtension>()!.Interceptors!;
        Assert.Contains(interceptors, i => i is OutboxCommitInterceptor);
    }

    [Fact]
    public void A_missing_context_registration_fails_start_up_with_what_to_call()
    {
        var services = new ServiceCollection();
        services.AddWebhooks().AddEntityFrameworkStore<TestDbContext>();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EntityFrameworkStoreOptions>>().Value);

        Assert.Contains("AddDbContext<TestDbContext>()", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Web Hooks")]
    [InlineData("")]
    public void A_bad_notification_channel_fails_start_up(string channel)
    {
        var services = new ServiceCollection();
        services.AddDbContext<TestDbContext>(o => o.UseSqlite("Data Source=:memory:"));
        services.AddWebhooks().AddEntityFrameworkStore<TestDbContext>(o => o.NotificationChannel = channel);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EntityFrameworkStoreOptions>>().Value);

        Assert.Contains("NotificationChannel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_InstanceTimeout_shorter_than_three_heartbeat_intervals_fails_start_up()
    {
        var services = new ServiceCollection();
        services.AddDbContext<TestDbContext>(o => o.UseSqlite("Data Source=:memory:"));
        services.AddWebhooks().AddEntityFrameworkStore<TestDbContext>(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromSeconds(5);
            o.InstanceTimeout = TimeSpan.FromSeconds(10);
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EntityFrameworkStoreOptions>>().Value);

        Assert.Contains("InstanceTimeout (00:00:10) must be at least three times HeartbeatInterval (00:00:05)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsupported_provider_is_refused_with_a_clear_message()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<TestDbContext>(o => o.UseUnsupportedProvider());
        services.AddWebhooks().AddEntityFrameworkStore<TestDbContext>();
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => provider.GetRequiredService<IWebhookStore>().GetMessageAsync("msg_1", CancellationToken.None));

        Assert.Contains("PostgreSQL (Npgsql) and SQLite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_builder_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => EntityFrameworkWebhooksBuilderExtensions.AddEntityFrameworkStore<TestDbContext>(null!));
        Assert.Throws<ArgumentNullException>(() => WebhookModelBuilderExtensions.AddWebhookSender(null!));
    }
}

internal static class ProviderStandIn
{
    /// <summary>SQLite's services under a provider name the store does not know (it is never connected to).</summary>
    public static DbContextOptionsBuilder UseUnsupportedProvider(this DbContextOptionsBuilder options) =>
        options.UseSqlite("Data Source=:memory:").ReplaceService<Microsoft.EntityFrameworkCore.Storage.IDatabaseProvider, OtherProvider>();

    private sealed class OtherProvider(Microsoft.EntityFrameworkCore.Storage.DatabaseProviderDependencies dependencies)
        : Microsoft.EntityFrameworkCore.Storage.DatabaseProvider<Microsoft.EntityFrameworkCore.Sqlite.Infrastructure.Internal.SqliteOptionsExtension>(dependencies)
    {
        public override string Name => "Contoso.EntityFrameworkCore.Other";
    }
}
