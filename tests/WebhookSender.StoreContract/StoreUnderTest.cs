using WebhookSender.Storage;

namespace WebhookSender.StoreContract;

/// <summary>An adapter built for one test: its store and queue (usually one object), and what to dispose afterwards.</summary>
/// <param name="Store">The store.</param>
/// <param name="Queue">The queue over the same records.</param>
/// <param name="Owner">Disposed after the test (a service provider, a database), or <see langword="null"/>.</param>
public sealed record StoreUnderTest(IWebhookStore Store, IDeliveryQueue Queue, IAsyncDisposable? Owner = null) : IAsyncDisposable
{
    /// <summary>Disposes <see cref="Owner"/>.</summary>
    public ValueTask DisposeAsync() => Owner?.DisposeAsync() ?? ValueTask.CompletedTask;
}
