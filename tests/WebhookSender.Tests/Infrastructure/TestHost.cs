using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Infrastructure;

/// <summary>A started host with WebhookSender on the in-memory store; loopback allowed unless a test says otherwise.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private TestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IWebhookPublisher Publisher => Services.GetRequiredService<IWebhookPublisher>();

    public IWebhookSubscriptions Subscriptions => Services.GetRequiredService<IWebhookSubscriptions>();

    public IWebhookDeliveries Deliveries => Services.GetRequiredService<IWebhookDeliveries>();

    public IWebhookStore Store => Services.GetRequiredService<IWebhookStore>();

    public static async Task<TestHost> StartAsync(
        Action<WebhookOptions>? configure = null,
        Action<IWebhooksBuilder>? build = null,
        FakeTimeProvider? time = null,
        HttpMessageHandler? primaryHandler = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (time is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(time);
        }

        builder.Services.AddSingleton<RecordingNotificationHandler>();
        var webhooks = builder.Services
            .AddWebhooks(o =>
            {
                o.Destinations.AllowLoopback = true;
                o.PingOnCreate = false;
                configure?.Invoke(o);
            })
            .AddEventType("order.created", "An order was placed", new { id = 1 })
            .AddEventType("order.updated", "An order changed", new { id = 1, status = "paid" })
            .AddInMemoryStore();
        webhooks.Services.AddSingleton<IWebhookNotificationHandler>(sp => sp.GetRequiredService<RecordingNotificationHandler>());
        if (primaryHandler is not null)
        {
            webhooks.ConfigureHttpClient(http => http.ConfigurePrimaryHttpMessageHandler(() => primaryHandler));
        }

        build?.Invoke(webhooks);
        var host = builder.Build();
        await host.StartAsync();
        return new TestHost(host);
    }

    public RecordingNotificationHandler Notifications => Services.GetRequiredService<RecordingNotificationHandler>();

    public async Task<WebhookSubscription> SubscribeAsync(Uri url, string? secret = null, IReadOnlyList<TimeSpan>? retrySchedule = null, string? tenantId = null, params string[] eventTypes)
    {
        var created = await Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = url,
            Secret = secret,
            RetrySchedule = retrySchedule,
            TenantId = tenantId,
            EventTypes = eventTypes.Length == 0 ? null : eventTypes,
        });
        return created.Subscription;
    }

    public async Task<IReadOnlyList<DeliveryAttempt>> AttemptsAsync(string? subscriptionId = null, string? messageId = null)
    {
        var page = await Deliveries.ListAttemptsAsync(new AttemptQuery { SubscriptionId = subscriptionId, MessageId = messageId, Limit = 1000 });
        return [.. page.Items.OrderBy(a => a.StartedAt).ThenBy(a => a.AttemptNumber)];
    }

    public async Task<IReadOnlyList<WebhookDelivery>> DeliveriesOfAsync(string messageId)
    {
        var page = await Deliveries.ListAsync(new DeliveryQuery { MessageId = messageId, Limit = 1000 });
        return page.Items;
    }

    public Task StopAsync(TimeSpan timeout) => _host.StopAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(5));
        _host.Dispose();
    }
}
