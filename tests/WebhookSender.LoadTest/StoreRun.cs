namespace WebhookSender.LoadTest;

/// <summary>The store of one run: its PostgreSQL database (when it has one), dropped with the run.</summary>
internal sealed class StoreRun(string? postgres, Func<Task> cleanup) : IAsyncDisposable
{
    /// <summary>The connection string of the run's own PostgreSQL database, or null on the other stores.</summary>
    public string? Postgres { get; } = postgres;

    public async ValueTask DisposeAsync() => await cleanup();
}
