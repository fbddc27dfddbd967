using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>A subscription's delivery controls through the HTTP API, and the hold reason in its delivery log (issue 23).</summary>
public sealed class ControlsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Controls_are_created_read_back_and_merged_by_a_patch()
    {
        await using var host = await ApiHost.StartAsync();
        var created = await host.CreateAsync("acme", new
        {
            url = host.Receiver.UrlFor("/hooks"),
            controls = new { rateLimit = new { limit = 250, periodSeconds = 60, burst = 10 }, maxConcurrency = 2, failureThreshold = 8, breakSeconds = 90, ordered = true, quota = 25000 },
        });
        string id = (string)created["subscription"]!["id"]!;
        var controls = created["subscription"]!["controls"]!;
        Assert.Equal(
            """{"rateLimit":{"limit":250,"periodSeconds":60,"burst":10},"maxConcurrency":2,"failureThreshold":8,"breakSeconds":90,"ordered":true,"quota":25000}""",
            controls.ToJsonString());

        // A merge patch changes what it names and keeps the rest.
        var patched = await FlowTests.SendAsync(host, HttpMethod.Patch, $"/{id}", """{"controls":{"maxConcurrency":4,"ordered":null}}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = (await ApiHost.JsonAsync(patched))["controls"]!;
        Assert.Equal((4, 250, (bool?)null), ((int)after["maxConcurrency"]!, (int)after["rateLimit"]!["limit"]!, (bool?)after["ordered"]));

        var stored = await host.Services.GetRequiredService<IWebhookSubscriptions>().GetAsync(id);
        Assert.Equal(TimeSpan.FromMinutes(1), stored!.Controls!.RateLimit!.Period);
    }

    [Theory]
    [InlineData("""{"controls":{"rateLimit":{"limit":0}}}""", "controls")]
    [InlineData("""{"controls":{"maxConcurrency":0}}""", "controls")]
    [InlineData("""{"controls":{"breakSeconds":-1}}""", "controls.breakSeconds")]
    [InlineData("""{"controls":{"rateLimit":{"limit":5,"periodSeconds":-2}}}""", "controls.rateLimit.periodSeconds")]
    public async Task Bad_controls_answer_400_naming_the_field_and_nothing_is_stored(string controls, string field)
    {
        await using var host = await ApiHost.StartAsync();
        string body = controls.Insert(1, $"\"url\":\"{host.Receiver.UrlFor("/hooks")}\",");

        var response = await FlowTests.SendAsync(host, HttpMethod.Post, "", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await ApiHost.JsonAsync(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"expected an error for '{field}', got: {errors.ToJsonString()}");
        Assert.Empty((await host.Services.GetRequiredService<IWebhookSubscriptions>().ListAsync()).Items);
    }

    [Fact]
    public async Task A_delivery_held_by_the_tenants_quota_shows_why_in_the_delivery_log()
    {
        await using var host = await ApiHost.StartAsync(services: builder => builder.Services.Configure<WebhookOptions>(o => o.Quotas.PerTenant = 1));
        string id = await host.CreateIdAsync("acme");
        var first = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated("ord_1", 1, 5m, [])) { TenantId = "acme" });
        var second = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated("ord_2", 1, 5m, [])) { TenantId = "acme" });

        JsonNode? delivery = null;
        for (var deadline = DateTime.UtcNow + Wait; delivery is null && DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            var deliveries = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/deliveries?status=queued")));
            delivery = deliveries["items"]!.AsArray().SingleOrDefault(d => d!["holdReason"] is not null);
        }

        Assert.True(delivery is not null, "no delivery showed a hold reason");
        Assert.StartsWith("Quota: tenant 'acme' has used its 1 requests of the window", (string)delivery["holdReason"]!, StringComparison.Ordinal);
        Assert.Equal(0, (int)delivery["attemptCount"]!);
        Assert.Contains((string?)delivery["messageId"], new[] { first.MessageId, second.MessageId }); // whichever was sent second
        await host.Receiver.WaitForAsync(all => all.Any(r => r.BodyText.Contains("ord_", StringComparison.Ordinal)), Wait);
        Assert.Single(host.Receiver.Received, r => r.BodyText.Contains("ord_", StringComparison.Ordinal));
    }
}
