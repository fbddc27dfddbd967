using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>The EF Core store on a test database, without a host: store, queue and retention cleanup resolved directly.</summary>
internal static class StoreServices
{
    public static ServiceProvider Build(TestDatabase database, TimeProvider clock, Action<EntityFrameworkStoreOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock);
        services.AddDbContext<TestDbContext>(database.Configure);
        services.AddWebhooks().AddEntityFrameworkStore<TestDbContext>(configure);
        return services.BuildServiceProvider();
    }
}
