using Microsoft.Extensions.DependencyInjection;

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

/// <summary>Registers the chosen store on the builder; the returned object cleans up after the run (a database file, a schema).</summary>
internal static class StoreSetup
{
    public static Task<IAsyncDisposable> ConfigureAsync(IWebhooksBuilder webhooks, LoadOptions options)
    {
        switch (options.Store)
        {
            case StoreKind.InMemory:
                // Room for a whole run published at once (window=0); the other limits keep their defaults.
                webhooks.AddInMemoryStore(o => o.MaxPendingDeliveries = Math.Max(100_000, options.TotalDeliveries + options.WarmupDeliveries));
                return Task.FromResult<IAsyncDisposable>(NothingToClean.Instance);
            default:
                // The Entity Framework Core store (WebhookSender.EntityFrameworkCore) is not in the solution yet; once
                // AddEntityFrameworkStore<TContext>() lands, register it here on SQLite (a temporary file) or PostgreSQL.
                throw new NotSupportedException(
                    $"The {options.Store} store is not available yet: the load tool runs on the in-memory store until WebhookSender.EntityFrameworkCore " +
                    "(AddEntityFrameworkStore<TContext>()) is part of the solution.");
        }
    }

    private sealed class NothingToClean : IAsyncDisposable
    {
        public static readonly NothingToClean Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
