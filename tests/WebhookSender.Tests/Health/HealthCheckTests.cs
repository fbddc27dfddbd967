using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Storage;
using WebhookSender.Tests.Infrastructure;
using WebhookSender.Testing;

namespace WebhookSender.Tests.Health;

/// <summary><c>AddHealthChecks().AddWebhooks()</c>: the dispatcher, the store, and the backlog against the host's thresholds.</summary>
public sealed class HealthCheckTests
{
    private static async Task<HealthReportEntry> CheckAsync(TestHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["webhooks"];

    [Fact]
    public async Task A_running_dispatcher_with_nothing_waiting_is_healthy_and_says_what_it_counted()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(build: w => w.Services.AddHealthChecks().AddWebhooks());
        await host.SubscribeAsync(receiver.UrlFor("/ok"));
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await receiver.WaitForCountAsync("/ok", 1, TimeSpan.FromSeconds(10));

        var entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(true, entry.Data["dispatcherRunning"]);
        Assert.Contains("0 due", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backlog_no_dispatcher_takes_turns_degraded_then_unhealthy_as_it_ages()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        // No hand-over: a publish after the dispatcher stopped leaves its deliveries due, not leased to a loop that is gone.
        await using var host = await TestHost.StartAsync(o => o.LocalHandoff = false, time: time, build: w => w.Services.AddHealthChecks().AddWebhooks(o =>
        {
            o.RequireDispatcher = false;
            o.DegradedOldestDueAge = TimeSpan.FromMinutes(1);
            o.UnhealthyOldestDueAge = TimeSpan.FromMinutes(10);
        }));
        await host.SubscribeAsync(new Uri("http://127.0.0.1:9/never"));
        await host.StopAsync(TimeSpan.FromSeconds(5)); // nothing takes the work any more
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
        time.Advance(TimeSpan.FromMinutes(2));
        var degraded = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(1, degraded.Data["due"]);
        Assert.Equal(120.0, (double)degraded.Data["oldestDueAgeSeconds"], 1);
        time.Advance(TimeSpan.FromMinutes(9));
        var unhealthy = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("unhealthy threshold", unhealthy.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Due_count_thresholds_apply_when_set()
    {
        await using var host = await TestHost.StartAsync(o => o.LocalHandoff = false, build: w => w.Services.AddHealthChecks().AddWebhooks(o =>
        {
            o.RequireDispatcher = false;
            o.DegradedDueCount = 2;
            o.UnhealthyDueCount = 3;
        }));
        await host.SubscribeAsync(new Uri("http://127.0.0.1:9/never"));
        await host.StopAsync(TimeSpan.FromSeconds(5));
        var statuses = new List<HealthStatus>();
        for (int i = 0; i < 3; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = i }));
            statuses.Add((await CheckAsync(host)).Status);
        }

        Assert.Equal([HealthStatus.Healthy, HealthStatus.Degraded, HealthStatus.Unhealthy], statuses);
    }

    [Fact]
    public async Task A_stopped_dispatcher_is_unhealthy_and_says_so()
    {
        await using var host = await TestHost.StartAsync(build: w => w.Services.AddHealthChecks().AddWebhooks());
        await host.StopAsync(TimeSpan.FromSeconds(5));

        var entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("has stopped", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_does_not_answer_in_time_is_unhealthy()
    {
        GatedStore? gated = null;
        await using var host = await TestHost.StartAsync(build: w =>
        {
            w.Services.AddHealthChecks().AddWebhooks(o => o.StoreTimeout = TimeSpan.FromMilliseconds(200));
            // The delivery log reads the store through IWebhookStore; the dispatcher keeps the real queue.
            w.Services.AddSingleton<IWebhookStore>(sp =>
            {
                var (store, gate) = GatedStore.Create((IWebhookStore)sp.GetRequiredService<IDeliveryQueue>(), nameof(IWebhookStore.GetBacklogAsync));
                gated = gate;
                return store;
            });
        });

        var entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("did not answer within 0.2 s", entry.Description, StringComparison.Ordinal);
        Assert.NotNull(gated);
        gated.Gate.TrySetResult();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
    }
}
