using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace WebhookSender.Tests.Dispatching;

public class StartupTests
{
    [Fact]
    public async Task Without_a_store_start_up_fails_naming_both_adapters()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddWebhooks();
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("No webhook store is registered", error.Message);
        Assert.Contains("AddInMemoryStore()", error.Message);
        Assert.Contains("AddEntityFrameworkStore<TContext>()", error.Message);
    }

    [Theory]
    [InlineData("lease", "must be at least twice AttemptTimeout")]
    [InlineData("concurrency", "MaxConcurrency")]
    [InlineData("schedule", "between 0 and 7 days")]
    [InlineData("network", "not a network in CIDR notation")]
    [InlineData("jitter", "RetryJitter")]
    [InlineData("user agent with a line break", "WebhookOptions.UserAgent must be printable ASCII")] // issue 19: it injected a header
    [InlineData("user agent with a control character", "WebhookOptions.UserAgent must be printable ASCII")]
    [InlineData("non-ASCII user agent", "WebhookOptions.UserAgent must be printable ASCII")] // issue 19: every attempt failed
    public async Task Bad_options_fail_at_start_up_with_what_to_fix(string problem, string expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddWebhooks(o =>
        {
            switch (problem)
            {
                case "lease": o.LeaseDuration = TimeSpan.FromSeconds(20); break;
                case "concurrency": o.MaxConcurrency = 0; break;
                case "schedule": o.RetrySchedule = [TimeSpan.FromDays(8)]; break;
                case "network": o.Destinations.AllowedNetworks.Add("10.0.0.0/40"); break;
                case "jitter": o.RetryJitter = 2; break;
                case "user agent with a line break": o.UserAgent = "WebhookSender/1.0\r\nX-Injected: yes"; break;
                case "user agent with a control character": o.UserAgent = "WebhookSender/1.0\u0007"; break;
                case "non-ASCII user agent": o.UserAgent = "Webhöök/1.0"; break;
            }
        }).AddInMemoryStore();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void Event_type_names_are_checked_at_registration()
    {
        var services = new ServiceCollection();
        var builder = services.AddWebhooks();

        var error = Assert.Throws<ArgumentException>(() => builder.AddEventType("order updated!", "bad"));

        Assert.Contains("not a valid event type name", error.Message);
    }

    [Fact]
    public async Task Publishing_an_unknown_type_is_refused_with_the_known_types()
    {
        await using var host = await Infrastructure.TestHost.StartAsync();

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Publisher.PublishAsync(new WebhookEvent("order.shipped", new { })));

        Assert.Contains("'order.shipped' is not in the catalog", error.Message);
        Assert.Contains("order.created, order.updated", error.Message);
    }

    [Fact]
    public async Task The_catalog_lists_types_with_descriptions_and_examples()
    {
        await using var host = await Infrastructure.TestHost.StartAsync();
        var catalog = host.Services.GetRequiredService<IWebhookEventTypes>();

        Assert.Equal(["order.created", "order.updated", "webhook.ping"], catalog.List().Select(t => t.Name));
        Assert.Equal("An order changed", catalog.Find("order.updated")!.Description);
        Assert.NotNull(catalog.Find("order.updated")!.Example);
        Assert.Null(catalog.Find("nope"));
    }
}
