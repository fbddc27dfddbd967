using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Added to the host's context options by <c>AddEntityFrameworkStore&lt;TContext&gt;()</c>: once outbox work is committed
/// (SaveChanges without an explicit transaction, or the commit of the host's transaction), wakes the dispatchers. A
/// rolled-back transaction wakes nobody; it never existed.
/// </summary>
internal sealed class OutboxCommitInterceptor(WorkNotifications notifications) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    // Contexts holding outbox work that is not committed yet; weak, so a context dropped without commit is forgotten.
    private static readonly ConditionalWeakTable<DbContext, object> Pending = [];

    public static void MarkPending(DbContext context) => Pending.AddOrUpdate(context, Pending);

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        OnSaved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        OnSaved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => OnCommitted(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        OnCommitted(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void OnSaved(DbContext? context)
    {
        // Inside the host's transaction the rows are not visible yet: wait for its commit.
        if (context?.Database.CurrentTransaction is null)
        {
            OnCommitted(context);
        }
    }

    private void OnCommitted(DbContext? context)
    {
        if (context is not null && Pending.Remove(context))
        {
            notifications.AnnounceCommitted(context.Database.ProviderName == LeaseQueries.PostgreSqlProvider ? StoreProvider.PostgreSql : StoreProvider.Sqlite);
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null)
        {
            Pending.Remove(context);
        }
    }
}
