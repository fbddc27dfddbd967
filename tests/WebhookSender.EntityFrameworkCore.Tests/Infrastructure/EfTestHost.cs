using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// A started host app on a test database: WebhookSender with the EF Core store and its dispatcher, loopback allowed,
/// no pings. Several hosts on one database act as several app instances.
/// </summary>
public sealed class EfTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EfTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IWebhookPublisher Publisher => Services.GetRequiredService<IWebhookPublisher>();

    public IWebhookSubscriptions Subscriptions => Services.GetRequiredService<IWebhookSubscriptions>();

    public IWebhookDeliveries Deliveries => Services.GetRequiredService<IWebhookDeliveries>();

    public IWebhookStore Store => Services.GetRequiredService<IWebhookStore>();

    public static async Task<EfTestHost> StartAsync(
        TestDatabase database,
        Action<WebhookOptions>? configure = null,
        Action<EntityFrameworkStoreOptions>? store = null,
        Action<IWebhooksBuilder>? build = null,
        ITestOutputHelper? output = null,
        bool start = true)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddDbContext<TestDbContext>(database.Configure);
        if (output is not null)
        {
            builder.Logging.AddProvider(new TestOutputLoggerProvider(output));
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }

        var webhooks = builder.Services
            .AddWebhooks(o =>
            {
                o.Destinations.AllowLoopback = true;
                o.PingOnCreate = false;
                o.RetrySchedule = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200)];
                o.RetryJitter = 0;
                configure?.Invoke(o);
            })
            .AddEventType("order.created", "An order was placed", new { id = 1 })
            .AddEventType("order.updated", "An order changed", new { id = 1, status = "paid" })
            .AddEntityFrameworkStore<TestDbContext>(o =>
            {
                o.PollInterval = TimeSpan.FromMilliseconds(500);
                store?.Invoke(o);
            });
        build?.Invoke(webhooks);
        var host = builder.Build();
        if (start)
        {
            await host.StartAsync();
        }

        return new EfTestHost(host);
    }

    public Task StartAsync() => _host.StartAsync();

    public TestDbContext NewContext() => Services.GetRequiredService<IServiceScopeFactory>().CreateScope().ServiceProvider.GetRequiredService<TestDbContext>();

    public async Task<WebhookSubscription> SubscribeAsync(Uri url, params string[] eventTypes)
    {
        var created = await Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = url,
            EventTypes = eventTypes.Length == 0 ? null : eventTypes,
        });
        return created.Subscription;
    }

    public async Task<IReadOnlyList<WebhookDelivery>> AllDeliveriesAsync()
    {
        var all = new List<WebhookDelivery>();
        string? cursor = null;
        do
        {
            var page = await Deliveries.ListAsync(new DeliveryQuery { Limit = 1000, Cursor = cursor });
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    public Task StopAsync(TimeSpan timeout) => _host.StopAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            if (_host is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
            else
            {
                _host.Dispose();
            }
        }
    }
}
