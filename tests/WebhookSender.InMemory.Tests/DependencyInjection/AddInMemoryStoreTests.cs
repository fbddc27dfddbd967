using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WebhookSender.Storage;

namespace WebhookSender.InMemory.Tests.DependencyInjection;

public sealed class AddInMemoryStoreTests
{
    [Fact]
    public void One_instance_serves_as_store_and_queue()
    {
        var services = new ServiceCollection();
        new TestBuilder(services).AddInMemoryStore(o => o.MaxAttempts = 42);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var store = provider.GetRequiredService<IWebhookStore>();
        var queue = provider.GetRequiredService<IDeliveryQueue>();

        Assert.IsType<InMemoryWebhookStore>(store);
        Assert.Same(store, queue);
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Equal(42, provider.GetRequiredService<IOptions<InMemoryStoreOptions>>().Value.MaxAttempts);
    }

    [Fact]
    public void A_store_registered_earlier_wins()
    {
        var services = new ServiceCollection();
        var earlier = TestData.Store(TestData.Clock());
        services.AddSingleton<IWebhookStore>(earlier);
        new TestBuilder(services).AddInMemoryStore();
        using var provider = services.BuildServiceProvider();

        Assert.Same(earlier, provider.GetRequiredService<IWebhookStore>());
    }

    [Fact]
    public void Invalid_limits_fail_start_up_validation()
    {
        var services = new ServiceCollection();
        new TestBuilder(services).AddInMemoryStore(o => o.MaxPendingDeliveries = 0);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(nameof(InMemoryStoreOptions.MaxPendingDeliveries), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_builder_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => InMemoryWebhooksBuilderExtensions.AddInMemoryStore(null!));
    }

    private sealed class TestBuilder(IServiceCollection services) : IWebhooksBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
