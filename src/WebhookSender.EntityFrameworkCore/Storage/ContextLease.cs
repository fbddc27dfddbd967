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
