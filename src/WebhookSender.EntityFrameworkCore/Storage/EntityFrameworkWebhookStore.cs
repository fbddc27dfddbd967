using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// <see cref="IWebhookStore"/> and <see cref="IDeliveryQueue"/> on the host's <see cref="DbContext"/>: a singleton that
/// takes a fresh context for each operation (or, inside <c>PublishAsync(dbContext, …)</c>, the host's own context, into
/// which it adds the message without saving). The partial files hold subscriptions, messages and deliveries, attempts,
/// and the queue.
/// </summary>
internal sealed partial class EntityFrameworkWebhookStore : IWebhookStore, IDeliveryQueue, IDeliveryBatchQueue
{
    private const int MaxPageSize = 1000;

    // Chosen with the load tool (docs/benchmarks.md): long enough to gather a round of outcomes, short beside an attempt.
    private static readonly TimeSpan SqliteLeaseEndDelay = TimeSpan.FromMilliseconds(2);

    private readonly IWebhookContextFactory _contexts;
    private readonly SubscriptionDocuments _documents;
    private readonly WorkNotifications _notifications;
    private readonly TimeProvider _timeProvider;
    private readonly EntityFrameworkStoreOptions _options;
    private readonly LeaseFence _fence;
    private LeaseQueries? _queries;

    // SQLite lets one writer in at a time and makes the others sleep and retry; queueing this process's busiest writers
    // (publish, lease, end of lease) here instead keeps them from sleeping on each other.
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    // Bodies of the lease ends' attempts that are stored already: about as many as the messages in flight, and more.
    private readonly StoredBodyKeys _storedBodies = new(capacity: 4096);

    public EntityFrameworkWebhookStore(
        IWebhookContextFactory contexts,
        SubscriptionDocuments documents,
        WorkNotifications notifications,
        TimeProvider timeProvider,
        IOptions<EntityFrameworkStoreOptions> options,
        LeaseFence fence)
    {
        _contexts = contexts;
        _documents = documents;
        _notifications = notifications;
        _timeProvider = timeProvider;
        _options = options.Value;
        _fence = fence;
    }

    private static int ClampLimit(int limit) => Math.Clamp(limit, 1, MaxPageSize);

    /// <summary>The provider's statements, read from the first context's model (every context of the store shares it).</summary>
    private LeaseQueries Queries(DbContext context) => _queries ??= LeaseQueries.For(context);

    /// <summary>Creates a context for one operation and checks, once, that its model has the webhook tables.</summary>
    private async ValueTask<ContextLease> OpenAsync(CancellationToken cancellationToken)
    {
        var lease = await _contexts.CreateAsync(cancellationToken).ConfigureAwait(false);
        if (_queries is null)
        {
            try
            {
                Queries(lease.Context);
            }
            catch
            {
                await lease.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return lease;
    }

    /// <summary>Runs a write, one at a time on SQLite.</summary>
    private async Task<T> WriteAsync<T>(DbContext context, Func<Task<T>> write, CancellationToken cancellationToken)
    {
        if (Queries(context).Provider != StoreProvider.Sqlite)
        {
            return await write().ConfigureAwait(false);
        }

        await _sqliteWriter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            _sqliteWriter.Release();
        }
    }

    /// <summary>
    /// Runs a database operation and turns the provider's failures (unreachable server, refused connection, missing
    /// table) into a <see cref="WebhookStoreException"/> that says what the store was doing.
    /// </summary>
    private static async Task<T> GuardAsync<T>(string operation, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (WebhookStoreException or OperationCanceledException) && FindDbException(ex) is { } db)
        {
            throw new WebhookStoreException(
                IsOlderSchema(db)
                    ? $"The webhook store's database failed while {operation}: {db.Message} The database lacks a table or column this version of WebhookSender uses: add a migration (dotnet ef migrations add) and apply it. Nothing was changed by this call."
                    : $"The webhook store's database failed while {operation}: {db.Message} Nothing was changed by this call; try again once the database is reachable.",
                ex);
        }
    }

    /// <summary>
    /// A database not migrated since upgrading (a version that added a column, say): PostgreSQL's undefined_table and
    /// undefined_column, SQLite's messages for them.
    /// </summary>
    private static bool IsOlderSchema(DbException db) =>
        db.SqlState is "42P01" or "42703"
        || db.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase)
        || db.Message.Contains("no such column", StringComparison.OrdinalIgnoreCase)
        || db.Message.Contains("has no column named", StringComparison.OrdinalIgnoreCase);

    private static async Task GuardAsync(string operation, Func<Task> action) =>
        await GuardAsync<bool>(operation, async () =>
        {
            await action().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction under the context's execution strategy, so hosts that enable retries
    /// on failure (<c>EnableRetryOnFailure</c>) work too: a retry starts over with an empty change tracker.
    /// </summary>
    internal static Task<T> InTransactionAsync<T>(DbContext context, Func<Task<T>> work, CancellationToken cancellationToken) =>
        context.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            context.ChangeTracker.Clear();
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var result = await work().ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        });

    private static DbException? FindDbException(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is DbException db)
            {
                return db;
            }
        }

        return null;
    }
}
