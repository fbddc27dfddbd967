using Microsoft.Extensions.DependencyInjection;
using WebhookSender.StoreContract;
using WebhookSender.Storage;

namespace WebhookSender.InMemory.Tests;

/// <summary>The store contract shared with the durable adapters, on a fresh in-memory store per test.</summary>
public sealed class InMemoryStoreContractTests : StoreContractTests
{
    protected override Task<StoreUnderTest> CreateStoreAsync(TimeProvider timeProvider)
    {
        var services = new ServiceCollection();
        services.AddSingleton(timeProvider);
        services.AddWebhooks().AddInMemoryStore();
        var provider = services.BuildServiceProvider();
        return Task.FromResult(new StoreUnderTest(provider.GetRequiredService<IWebhookStore>(), provider.GetRequiredService<IDeliveryQueue>(), provider));
    }
}
