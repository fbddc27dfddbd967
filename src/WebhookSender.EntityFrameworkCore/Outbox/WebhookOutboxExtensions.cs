using Microsoft.EntityFrameworkCore;
using WebhookSender.EntityFrameworkCore;

namespace WebhookSender;

/// <summary>The transactional outbox: publish webhooks as part of the host's own unit of work.</summary>
public static class WebhookOutboxExtensions
{
    /// <summary>
    /// Publishes <paramref name="webhookEvent"/> into <paramref name="dbContext"/>: the message and its deliveries are added
    /// to the context and saved by the host's own <c>SaveChanges</c>, inside the host's transaction if it has one. Rolled
    /// back (or never saved), nothing is ever sent; committed, every matching subscription gets it.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Matching subscriptions are read through <paramref name="dbContext"/>, on its connection and transaction. The
    /// dispatcher wakes at once after the commit when the context comes from the host's DI container (the store adds an
    /// interceptor to it); otherwise it finds the work at its next poll.
    /// </para>
    /// <para>
    /// The context's model must include the webhook tables (<c>modelBuilder.AddWebhookSender()</c>), in the same database
    /// as the store's. A repeated idempotency key returns the earlier message, including one added earlier in the same
    /// unit of work.
    /// </para>
    /// </remarks>
    /// <param name="publisher">The webhook publisher.</param>
    /// <param name="dbContext">The host's context whose SaveChanges and transaction the host controls.</param>
    /// <param name="webhookEvent">The event to publish.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    /// <returns>What was queued; the deliveries exist once the host saves and commits.</returns>
    /// <exception cref="InvalidOperationException">The registered store is not the Entity Framework Core store, or the context has no webhook tables.</exception>
    public static async Task<PublishResult> PublishAsync(
        this IWebhookPublisher publisher, DbContext dbContext, WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(dbContext);
        ArgumentNullException.ThrowIfNull(webhookEvent);
        if (OutboxScope.Current is not null)
        {
            throw new InvalidOperationException("A webhook is already being published into a DbContext on this flow; await each PublishAsync before starting the next.");
        }

        var scope = new OutboxScope(dbContext);
        var result = await scope.RunAsync(() => publisher.PublishAsync(webhookEvent, cancellationToken)).ConfigureAwait(false);
        if (!scope.Claimed)
        {
            throw new InvalidOperationException(
                "The registered webhook store is not the Entity Framework Core store, so the event was stored outside the DbContext's " +
                $"transaction (message '{result.MessageId}'). Register AddEntityFrameworkStore<TContext>() to publish inside your unit of work.");
        }

        return result;
    }
}
