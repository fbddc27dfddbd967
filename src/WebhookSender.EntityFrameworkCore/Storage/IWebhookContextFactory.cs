using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>Creates the contexts the singleton store works with: one per operation, never shared between threads.</summary>
internal interface IWebhookContextFactory
{
    /// <summary>The context type the store was registered with, for messages.</summary>
    Type ContextType { get; }

    ValueTask<ContextLease> CreateAsync(CancellationToken cancellationToken);
}
