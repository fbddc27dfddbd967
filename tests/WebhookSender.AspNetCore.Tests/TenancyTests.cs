using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>A caller never reads, changes or learns of another tenant's subscriptions or attempts.</summary>
public sealed class TenancyTests
{
    /// <summary>Every endpoint that names a subscription, with a body where it takes one.</summary>
    public static TheoryData<string, string, string?> SubscriptionEndpoints => new()
    {
        { "GET", "", null },
        { "PUT", "", """{"url":"http://127.0.0.1:9/x"}""" },
        { "PATCH", "", """{"name":"stolen"}""" },
        { "DELETE", "", null },
        { "POST", "/enable", null },
        { "POST", "/disable", null },
        { "GET", "/secret", null },
        { "POST", "/rotate-secret", null },
        { "POST", "/ping", null },
        { "POST", "/test", null },
        { "GET", "/deliveries", null },
        { "GET", "/attempts", null },
        { "GET", "/attempts/{attempt}", null },
        { "POST", "/messages/{message}/redeliver", null },
        { "POST", "/recover", """{"since":"2020-01-01T00:00:00Z"}""" },
    };

    [Theory]
    [MemberData(nameof(SubscriptionEndpoints))]
    public async Task Another_tenants_subscription_answers_404_like_one_that_does_not_exist_and_is_left_alone(string method, string rest, string? body)
    {
        await using var host = await ApiHost.StartAsync();
        string theirs = await host.CreateIdAsync("globex", "/globex");
        await host.Receiver.WaitForCountAsync("/globex", 1, TimeSpan.FromSeconds(20));
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated("o", 1, 1m, [])) { TenantId = "globex" });
        await host.Receiver.WaitForAsync(all => all.Any(r => r.WebhookId == published.MessageId), TimeSpan.FromSeconds(20));
        var log = host.Services.GetRequiredService<IWebhookDeliveries>();
        DeliveryAttempt? attempt = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); attempt is null && DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            // Stored just after the receiver answered.
            attempt = (await log.ListAttemptsAsync(new AttemptQuery { SubscriptionId = theirs, MessageId = published.MessageId })).Items.FirstOrDefault();
        }

        Assert.NotNull(attempt);
        var before = await host.Services.GetRequiredService<IWebhookSubscriptions>().GetAsync(theirs);
        string path = rest.Replace("{attempt}", attempt.Id.ToString("N"), StringComparison.Ordinal).Replace("{message}", published.MessageId, StringComparison.Ordinal);

        var foreign = await SendAsync(host, method, ApiHost.Path("acme", $"/{theirs}{path}"), body);
        var missing = await SendAsync(host, method, ApiHost.Path("acme", $"/sub_00000000000000000000000000000000{path}"), body);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", foreign.Content.Headers.ContentType?.MediaType);
        string foreignText = await foreign.Content.ReadAsStringAsync();
        Assert.DoesNotContain("globex", foreignText, StringComparison.Ordinal);
        Assert.Equal(Shape(await missing.Content.ReadAsStringAsync(), "sub_00000000000000000000000000000000"), Shape(foreignText, theirs));

        var after = await host.Services.GetRequiredService<IWebhookSubscriptions>().GetAsync(theirs);
        Assert.Equal(Fingerprint(before!), Fingerprint(after!));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync(ApiHost.Path("globex", $"/{theirs}"))).StatusCode);
    }

    [Fact]
    public async Task Lists_and_created_subscriptions_stay_within_the_tenant()
    {
        await using var host = await ApiHost.StartAsync();
        string mine = await host.CreateIdAsync("acme", "/acme");
        string theirs = await host.CreateIdAsync("globex", "/globex");

        var list = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme")));
        Assert.Equal([mine], list["items"]!.AsArray().Select(s => (string)s!["id"]!));
        Assert.Equal("acme", (await host.Services.GetRequiredService<IWebhookSubscriptions>().GetAsync(mine))!.TenantId);

        // A tenant id in the body is not a field of the API: nobody creates for another tenant.
        var smuggled = await FlowTests.SendAsync(host, HttpMethod.Post, "", $$"""{"url":"{{host.Receiver.UrlFor("/x")}}","tenantId":"globex"}""");
        Assert.Equal(HttpStatusCode.BadRequest, smuggled.StatusCode);
        Assert.Equal([theirs], (await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("globex"))))["items"]!.AsArray().Select(s => (string)s!["id"]!));
    }

    [Fact]
    public async Task The_tenant_can_come_from_a_claim_and_a_caller_without_one_is_refused()
    {
        await using var host = await ApiHost.StartAsync(
            api: o => o.TenantResolver = context => context.User.FindFirst("workspace")?.Value,
            services: builder => { },
            group: null,
            prefix: "/webhooks",
            user: context => context.Request.Headers.TryGetValue("x-workspace", out var w)
                ? new ClaimsPrincipal(new ClaimsIdentity([new Claim("workspace", w.ToString())], "test"))
                : new ClaimsPrincipal(new ClaimsIdentity()));

        var anonymous = await host.Client.GetAsync("/webhooks");
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        var create = new HttpRequestMessage(HttpMethod.Post, "/webhooks") { Content = new StringContent($$"""{"url":"{{host.Receiver.UrlFor("/c")}}"}""", System.Text.Encoding.UTF8, "application/json") };
        create.Headers.Add("x-workspace", "initech");
        var created = await host.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string id = (string)(await ApiHost.JsonAsync(created))["subscription"]!["id"]!;
        Assert.Equal("initech", (await host.Services.GetRequiredService<IWebhookSubscriptions>().GetAsync(id))!.TenantId);
    }

    [Fact]
    public async Task A_prefix_without_a_tenant_is_refused_when_mapped_unless_the_host_says_it_has_none()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddWebhooks().AddInMemoryStore();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapWebhooks("/webhooks"));

        Assert.Contains("cannot tell the caller's tenant", error.Message, StringComparison.Ordinal);
        Assert.Contains("SingleTenant", error.Message, StringComparison.Ordinal);
        app.MapWebhooks("/single", o => o.SingleTenant = true);
    }

    private static string Fingerprint(WebhookSubscription s) =>
        $"{s.Version} {s.UpdatedAt:O} {s.IsActive} {s.Name} {s.Url} {string.Join(",", s.Secrets.Select(x => x.Value))}";

    private static Task<HttpResponseMessage> SendAsync(ApiHost host, string method, string path, string? body) =>
        host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        });

    /// <summary>A problem with the asked-for id taken out: what is left must not tell the two cases apart.</summary>
    private static string Shape(string problem, string id)
    {
        var json = JsonNode.Parse(problem)!.AsObject();
        json.Remove("traceId");
        return json.ToJsonString().Replace(id, "{id}", StringComparison.Ordinal);
    }
}
