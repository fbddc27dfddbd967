using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WebhookSender.EntityFrameworkCore;

namespace WebhookSender.LoadTest;

/// <summary>The stores the load tool can run on.</summary>
internal static class StoreKind
{
    public const string InMemory = "inmemory";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static string Parse(string value) => value.ToLowerInvariant() switch
    {
        InMemory or "memory" => InMemory,
        Sqlite => Sqlite,
        Postgres or "postgresql" => Postgres,
        _ => throw new ArgumentException($"store is inmemory, sqlite or postgres, not '{value}'."),
    };
}

/// <summary>A host's context with nothing but the webhook tables.</summary>
internal sealed class LoadTestDbContext(DbContextOptions<LoadTestDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddWebhookSender();
}

/// <summary>
/// Registers the chosen store on the builder. The EF Core stores get a database of their own for the run (a temporary
/// SQLite file, or a new PostgreSQL database on the server of <c>postgres=</c> / WEBHOOKSENDER_POSTGRES), created with
/// <c>EnsureCreated</c> and removed when the returned object is disposed.
/// </summary>
internal static class StoreSetup
{
    private static void Apply(EntityFrameworkStoreOptions store, LoadOptions options)
    {
        if (options.LeaseEndDelayMs >= 0)
        {
            store.LeaseEndDelay = TimeSpan.FromMilliseconds(options.LeaseEndDelayMs);
        }
    }

    public static async Task<StoreRun> ConfigureAsync(IWebhooksBuilder webhooks, LoadOptions options)
    {
        switch (options.Store)
        {
            case StoreKind.InMemory:
                // Room for a whole run published at once (window=0); the other limits keep their defaults unless retain= is given.
                webhooks.AddInMemoryStore(o =>
                {
                    o.MaxPendingDeliveries = Math.Max(100_000, options.TotalDeliveries + options.WarmupDeliveries);
                    if (options.Retain > 0)
                    {
                        o.MaxAttempts = o.MaxRetainedMessages = options.Retain;
                    }
                });
                return new StoreRun(null, () => Task.CompletedTask);

            case StoreKind.Sqlite:
            {
                string path = Path.Combine(Path.GetTempPath(), $"webhooksender-load-{Guid.NewGuid():N}.db");
                void Configure(DbContextOptionsBuilder o) => o.UseSqlite($"Data Source={path}");
                await CreateSchemaAsync(Configure, "PRAGMA journal_mode=WAL;"); // readers beside the writer, as a host would set it
                webhooks.Services.AddPooledDbContextFactory<LoadTestDbContext>(Configure);
                webhooks.AddEntityFrameworkStore<LoadTestDbContext>(o => Apply(o, options));
                return new StoreRun(null, () =>
                {
                    SqliteConnection.ClearAllPools();
                    foreach (string file in new[] { path, path + "-wal", path + "-shm" })
                    {
                        File.Delete(file);
                    }

                    return Task.CompletedTask;
                });
            }

            case StoreKind.Postgres when options.Shared is { } shared:
                // One of several senders on the orchestrator's database: it made the schema and drops it.
                webhooks.Services.AddPooledDbContextFactory<LoadTestDbContext>(o => o.UseNpgsql(WithPool(shared, options)));
                webhooks.AddEntityFrameworkStore<LoadTestDbContext>(o => Apply(o, options));
                return new StoreRun(shared, () => Task.CompletedTask);

            case StoreKind.Postgres:
            {
                var database = await CreatePostgresAsync(options);
                webhooks.Services.AddPooledDbContextFactory<LoadTestDbContext>(o => o.UseNpgsql(database.Postgres));
                webhooks.AddEntityFrameworkStore<LoadTestDbContext>(o => Apply(o, options));
                return database;
            }

            default:
                throw new ArgumentException($"Unknown store '{options.Store}'.");
        }
    }

    /// <summary>A new PostgreSQL database with the webhook tables, on the server of <c>postgres=</c>; dropped on dispose.</summary>
    public static async Task<StoreRun> CreatePostgresAsync(LoadOptions options)
    {
        string server = options.Postgres is { Length: > 0 } value
            ? value
            : throw new ArgumentException("store=postgres needs a server: pass postgres=CONNECTION or set WEBHOOKSENDER_POSTGRES (`source .ci/postgres.sh && start_postgres`).");
        string name = $"webhooks_load_{Guid.NewGuid():N}";
        await AdminAsync(server, $"CREATE DATABASE \"{name}\"");
        string connection = WithPool(new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString, options);
        await CreateSchemaAsync(o => o.UseNpgsql(connection), null);
        return new StoreRun(connection, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        });
    }

    /// <summary>Room in the pool for every attempt at once, unless the connection string caps the pool itself.</summary>
    private static string WithPool(string connection, LoadOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(connection);
        if (builder.MaxPoolSize == new NpgsqlConnectionStringBuilder().MaxPoolSize)
        {
            builder.MaxPoolSize = Math.Max(100, options.Concurrency * 2);
        }

        return builder.ConnectionString;
    }

    private static async Task CreateSchemaAsync(Action<DbContextOptionsBuilder> configure, string? sql)
    {
        var builder = new DbContextOptionsBuilder<LoadTestDbContext>();
        configure(builder);
        await using var context = new LoadTestDbContext(builder.Options);
        await context.Database.EnsureCreatedAsync();
        if (sql is not null)
        {
            await context.Database.ExecuteSqlRawAsync(sql);
        }
    }

    private static async Task AdminAsync(string server, string sql)
    {
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}
