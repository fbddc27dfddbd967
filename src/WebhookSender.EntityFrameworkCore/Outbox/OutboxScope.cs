using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Carries the host's context from <c>PublishAsync(dbContext, …)</c> through the core publisher to the store, which
/// then adds the message and its deliveries to that context instead of saving them itself.
/// </summary>
internal sealed class OutboxScope(DbContext context)
{
    private static readonly AsyncLocal<OutboxScope?> CurrentScope = new();

    public static OutboxScope? Current => CurrentScope.Value;

    public DbContext Context { get; } = context;

    /// <summary>Set by the store when it took the message into <see cref="Context"/>.</summary>
    public bool Claimed { get; set; }

    /// <summary>Runs <paramref name="action"/> with the scope current. The value never leaks to the caller: this method is async.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> action)
    {
        CurrentScope.Value = this;
        try
        {
            return await action().ConfigureAwait(false);
        }
        finally
        {
            CurrentScope.Value = null;
        }
    }
}
