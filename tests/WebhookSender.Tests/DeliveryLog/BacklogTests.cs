using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.Tests.DeliveryLog;

/// <summary><see cref="IWebhookDeliveries.GetBacklogAsync"/> as a host sees it; the stores' counting is in the store contract.</summary>
public class BacklogTests
{
    [Fact]
    public async Task The_backlog_follows_a_delivery_from_in_flight_to_waiting_for_its_retry()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Respond("/slow", _ =>
        {
            answer.Task.Wait(TimeSpan.FromSeconds(20));
            return ReceiverResponse.Status(500);
        });
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = [TimeSpan.FromHours(1)]);
        await host.SubscribeAsync(receiver.UrlFor("/slow"), tenantId: "acme");
        Assert.Equal(0, (await host.Deliveries.GetBacklogAsync()).Pending);

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }) { TenantId = "acme" });

        var sending = await Eventually.WaitForAsync(() => host.Deliveries.GetBacklogAsync("acme"), b => b.InFlight == 1, "the delivery in flight");
        Assert.Equal((0, 1, 0), (sending.Due, sending.InFlight, sending.Waiting));
        Assert.Null(sending.OldestDueAge);
        Assert.Equal(0, (await host.Deliveries.GetBacklogAsync("globex")).Pending);

        answer.SetResult();
        var waiting = await Eventually.WaitForAsync(() => host.Deliveries.GetBacklogAsync(), b => b.Waiting == 1, "the retry scheduled");
        Assert.Equal((0, 0, 1, 1), (waiting.Due, waiting.InFlight, waiting.Waiting, waiting.Pending));
    }

    [Fact]
    public async Task A_blank_tenant_is_refused()
    {
        await using var host = await TestHost.StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => host.Deliveries.GetBacklogAsync(" "));
    }

    [Fact]
    public async Task A_store_written_before_the_backlog_says_what_to_implement()
    {
        IWebhookStore store = new StoreWithoutBacklog();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => store.GetBacklogAsync(null, CancellationToken.None));

        Assert.Contains("StoreWithoutBacklog", error.Message);
        Assert.Contains("implement IWebhookStore.GetBacklogAsync", error.Message);
    }

    /// <summary>A third-party store that implements only what it had to before the backlog existed.</summary>
    private sealed class StoreWithoutBacklog : IWebhookStore
    {
        public Task AddSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<WebhookSubscription?> GetSubscriptionAsync(string id, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<WebhookSubscription?> UpdateSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<bool> DeleteSubscriptionAsync(string id, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<WebhookPage<WebhookSubscription>> ListSubscriptionsAsync(SubscriptionQuery query, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<IReadOnlyList<WebhookSubscription>> FindSubscriptionsAsync(string eventType, string? tenantId, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<WebhookMessage> AddMessageAsync(WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<WebhookMessage?> GetMessageAsync(string id, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task AddDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<WebhookDelivery?> GetDeliveryAsync(string id, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<WebhookPage<WebhookDelivery>> ListDeliveriesAsync(DeliveryQuery query, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task AddAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<WebhookPage<DeliveryAttempt>> ListAttemptsAsync(AttemptQuery query, CancellationToken cancellationToken) => throw new NotImplementedException();
    }
}
