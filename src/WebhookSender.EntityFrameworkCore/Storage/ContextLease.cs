using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>A context for one store operation, disposed with the scope it came from (if the store created it).</summary>
internal sealed class ContextLease(DbContext context, AsyncServiceScope? scope, bool owned) : IAsyncDisposable
{
    public DbContext Context { get; } = context;

    /// <summary>Whether the store created the context; the outbox lends the host's, which the store never saves or disposes.</summary>
    public bool Owned { get; } = owned;

    public async ValueTask DisposeAsync()
    {
        if (!Owned)
        {
            return;
        }

        if (scope is { } s)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            await Context.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Creates the contexts the singleton store works with: one per operation, never shared between threads.</summary>
internal interface IWebhookContextFactory
{
    /// <summary>The context type the store was registered with, for messages.</summary>
    Type ContextType { get; }

    ValueTask<ContextLease> CreateAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Uses <see cref="IDbContextFactory{TContext}"/> when the host registered one (<c>AddDbContextFactory</c>), otherwise a
/// fresh service scope per operation (<c>AddDbContext</c>).
/// </summary>
internal sealed class WebhookContextFactory<TContext>(IServiceProvider services) : IWebhookContextFactory
    where TContext : DbContext
{
    public Type ContextType => typeof(TContext);

    public async ValueTask<ContextLease> CreateAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IDbContextFactory<TContext>>() is { } factory)
        {
            var created = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return new ContextLease(created, scope: null, owned: true);
        }

        var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        try
        {
            var context = scope.ServiceProvider.GetService<TContext>() ?? throw new InvalidOperationException(
                $"The webhook store needs {typeof(TContext).Name}: register it with AddDbContext<{typeof(TContext).Name}>() or AddDbContextFactory<{typeof(TContext).Name}>().");
            return new ContextLease(context, scope, owned: true);
        }
        catch
        {
            await scope.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
