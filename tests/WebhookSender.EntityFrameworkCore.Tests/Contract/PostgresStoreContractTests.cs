using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.StoreContract;

namespace WebhookSender.EntityFrameworkCore.Tests.Contract;

/// <summary>The store contract on PostgreSQL: one fresh database for the class, emptied before every test.</summary>
public sealed class PostgresStoreContractTests(PostgresDatabaseFixture fixture) : StoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreUnderTest> CreateStoreAsync(TimeProvider timeProvider)
    {
        var database = await fixture.GetAsync();
        await database.ClearAsync();
        return ContractStores.Build(database, timeProvider, ownsDatabase: false);
    }
}

/// <summary>A PostgreSQL database per test class; fails every test of the class when no server is configured.</summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private TestDatabase? _database;

    public Task<TestDatabase> GetAsync() => Task.FromResult(_database ?? throw new InvalidOperationException("The database is created in InitializeAsync."));

    public async Task InitializeAsync() => _database = await TestDatabase.CreatePostgresAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
