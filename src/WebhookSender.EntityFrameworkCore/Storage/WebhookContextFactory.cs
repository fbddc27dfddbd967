using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.EntityFrameworkCore;

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
