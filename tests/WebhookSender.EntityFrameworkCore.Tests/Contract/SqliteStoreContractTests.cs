using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.StoreContract;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore.Tests.Contract;

/// <summary>The store contract on SQLite: a fresh database file for every test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    protected override async Task<StoreUnderTest> CreateStoreAsync(TimeProvider timeProvider)
    {
        var database = await TestDatabase.CreateSqliteAsync();
        return ContractStores.Build(database, timeProvider, ownsDatabase: true);
    }
}

/// <summary>Disposes a store built by <see cref="ContractStores"/>.</summary>
internal sealed class ContractStoresHandle(StoreUnderTest store) : IAsyncDisposable
{
    public IWebhookStore Store => store.Store;

    public ValueTask DisposeAsync() => store.DisposeAsync();
}

/// <summary>Builds the EF Core store on a database, the way the host's DI would.</summary>
internal static class ContractStores
{
    public static StoreUnderTest Build(
        TestDatabase database, TimeProvider timeProvider, bool ownsDatabase, Action<DbContextOptionsBuilder>? configure = null, Action<EntityFrameworkStoreOptions>? store = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(timeProvider);
        services.AddDbContext<TestDbContext>(options =>
        {
            database.Configure(options);
            configure?.Invoke(options);
        });

        // Fake time never moves by itself: a long poll keeps waits open until the test adds work or moves the clock.
        services.AddWebhooks().AddEntityFrameworkStore<TestDbContext>(o =>
        {
            o.PollInterval = TimeSpan.FromMinutes(1);
            store?.Invoke(o);
        });
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new StoreUnderTest(
            provider.GetRequiredService<IWebhookStore>(),
            provider.GetRequiredService<IDeliveryQueue>(),
            new Owner(provider, ownsDatabase ? database : null));
    }

    private sealed class Owner(ServiceProvider provider, TestDatabase? database) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await provider.DisposeAsync();
            if (database is not null)
            {
                await database.DisposeAsync();
            }
        }
    }
}
