using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>
/// The portal's page and its signed links, over HTTP: what a link opens, what it refuses, and what the page is served
/// with. The page itself is driven in a real browser by WebhookSender.Portal.Tests.
/// </summary>
public sealed class PortalTests
{
    private const string LinkPortal = "/embed/webhooks";

    private static Task<ApiHost> StartAsync() => ApiHost.StartAsync(
        services: b => b.Services.AddWebhooks().AddPortalLinks(),
        map: app =>
        {
            app.MapWebhookPortal("/workspaces/{workspaceId}/webhooks/portal", o => o.Title = "Acme <webhooks>");
            app.MapWebhookPortal(LinkPortal, o => o.SignedLinks = true);
        });

    private static HttpRequestMessage WithLink(HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, LinkPortal + "/api" + path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    [Fact]
    public async Task A_link_opens_its_own_tenant_only()
    {
        await using var host = await StartAsync();
        string mine = await host.CreateIdAsync("acme");
        string theirs = await host.CreateIdAsync("globex");
        string token = host.Services.GetRequiredService<WebhookPortalLinks>().CreateToken("acme", WebhookPortalPermissions.All);

        var list = await ApiHost.JsonAsync(await host.Client.SendAsync(WithLink(HttpMethod.Get, "/", token)));
        Assert.Equal([mine], list["items"]!.AsArray().Select(i => (string)i!["id"]!));

        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.SendAsync(WithLink(HttpMethod.Get, $"/{theirs}", token))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.SendAsync(WithLink(HttpMethod.Delete, $"/{theirs}", token))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.SendAsync(WithLink(HttpMethod.Get, $"/{theirs}/deliveries", token))).StatusCode);
        Assert.NotNull(await host.Services.GetRequiredService<IWebhookSubscriptions>().GetAsync(theirs));

        // What the link creates belongs to its tenant, whatever the request says.
        var created = await host.Client.SendAsync(WithLink(HttpMethod.Post, "/", token, new { url = host.Receiver.UrlFor("/x"), eventTypes = new[] { "order.created" } }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string id = (string)(await ApiHost.JsonAsync(created))["subscription"]!["id"]!;
        Assert.Equal("acme", (await host.Services.GetRequiredService<IWebhookSubscriptions>().GetAsync(id))!.TenantId);
    }

    [Fact]
    public async Task A_read_only_link_changes_nothing_even_when_calling_the_API_directly()
    {
        await using var host = await StartAsync();
        string id = await host.CreateIdAsync("acme");
        string token = host.Services.GetRequiredService<WebhookPortalLinks>().CreateToken("acme", WebhookPortalPermissions.ReadLog);

        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(WithLink(HttpMethod.Get, $"/{id}", token))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(WithLink(HttpMethod.Get, $"/{id}/attempts", token))).StatusCode);
        var refused = new[]
        {
            WithLink(HttpMethod.Post, "/", token, new { url = host.Receiver.UrlFor("/x") }),
            WithLink(HttpMethod.Patch, $"/{id}", token, new { name = "changed" }),
            WithLink(HttpMethod.Put, $"/{id}", token, new { url = host.Receiver.UrlFor("/y") }),
            WithLink(HttpMethod.Delete, $"/{id}", token),
            WithLink(HttpMethod.Post, $"/{id}/disable", token),
            WithLink(HttpMethod.Post, $"/{id}/ping", token),
            WithLink(HttpMethod.Post, $"/{id}/test", token),
            WithLink(HttpMethod.Get, $"/{id}/secret", token),
            WithLink(HttpMethod.Post, $"/{id}/rotate-secret", token, new { }),
            WithLink(HttpMethod.Post, $"/{id}/messages/msg_01a23d17a41a74bbab84f9234fdafffa/redeliver", token),
            WithLink(HttpMethod.Post, $"/{id}/recover", token, new { since = DateTimeOffset.UtcNow.AddDays(-1) }),
        };
        foreach (var request in refused)
        {
            var response = await host.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}");
            Assert.Contains("may not do that", (string)(await ApiHost.JsonAsync(response))["detail"]!, StringComparison.Ordinal);
        }

        var subscriptions = host.Services.GetRequiredService<IWebhookSubscriptions>();
        var stored = await subscriptions.GetAsync(id);
        Assert.NotNull(stored);
        Assert.True(stored.IsActive);
        Assert.Null(stored.Name);
        Assert.Single((await subscriptions.ListAsync(new SubscriptionQuery { TenantId = "acme" })).Items);
        var deliveries = await ApiHost.JsonAsync(await host.Client.SendAsync(WithLink(HttpMethod.Get, $"/{id}/deliveries", token)));
        Assert.Equal(["ping"], deliveries["items"]!.AsArray().Select(d => (string)d!["trigger"]!)); // the creation's ping only
    }

    [Fact]
    public async Task Permissions_are_granted_one_by_one()
    {
        await using var host = await StartAsync();
        string id = await host.CreateIdAsync("acme");
        var links = host.Services.GetRequiredService<WebhookPortalLinks>();
        string manage = links.CreateToken("acme", WebhookPortalPermissions.ManageEndpoints);
        string secrets = links.CreateToken("acme", WebhookPortalPermissions.Secrets);

        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WithLink(HttpMethod.Post, $"/{id}/ping", manage))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Client.SendAsync(WithLink(HttpMethod.Get, $"/{id}/secret", manage))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(WithLink(HttpMethod.Get, $"/{id}/secret", secrets))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Client.SendAsync(WithLink(HttpMethod.Post, $"/{id}/ping", secrets))).StatusCode);

        var granted = await ApiHost.JsonAsync(await host.Client.SendAsync(WithLink(HttpMethod.Get, "/link", manage)));
        Assert.Equal(["readLog", "manageEndpoints"], granted["permissions"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task A_missing_altered_foreign_or_expired_link_answers_401_saying_which()
    {
        await using var host = await StartAsync();
        await host.CreateIdAsync("acme");
        var links = host.Services.GetRequiredService<WebhookPortalLinks>();
        string token = links.CreateToken("acme", WebhookPortalPermissions.All);
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        string expired = new WebhookPortalLinks(host.Services.GetRequiredService<IDataProtectionProvider>(), Options.Create(new WebhookPortalLinkOptions()), past)
            .CreateToken("acme", WebhookPortalPermissions.All, TimeSpan.FromMinutes(10));
        string foreign = new WebhookPortalLinks(new EphemeralDataProtectionProvider(), Options.Create(new WebhookPortalLinkOptions()), TimeProvider.System)
            .CreateToken("acme", WebhookPortalPermissions.All);
        string altered = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");

        foreach (var (bad, says) in new[] { ((string?)null, "no portal link"), (expired, "expired at"), (foreign, "not valid"), (altered, "not valid"), ("not base64!", "not valid") })
        {
            var response = await host.Client.SendAsync(WithLink(HttpMethod.Get, "/", bad));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains(says, (string)(await ApiHost.JsonAsync(response))["detail"]!, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(WithLink(HttpMethod.Get, "/", token))).StatusCode);
    }

    [Fact]
    public async Task The_page_finds_the_hosts_API_for_its_workspace_and_is_served_under_a_strict_policy()
    {
        await using var host = await StartAsync();
        var response = await host.Client.GetAsync("/workspaces/acme/webhooks/portal");
        string html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("api=\"/api/workspaces/acme/webhooks\"", html, StringComparison.Ordinal);
        Assert.Contains("auth=\"host\"", html, StringComparison.Ordinal);
        Assert.Contains("Acme &lt;webhooks&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<webhooks>", html, StringComparison.Ordinal);
        string policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'self'", policy, StringComparison.Ordinal);

        var linked = await (await host.Client.GetAsync(LinkPortal)).Content.ReadAsStringAsync();
        Assert.Contains($"api=\"{LinkPortal}/api\"", linked, StringComparison.Ordinal);
        Assert.Contains("auth=\"link\"", linked, StringComparison.Ordinal);

        // Both APIs are mapped, and the endpoint names stay unique: the OpenAPI document still builds.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Assets_are_embedded_and_revalidated_with_an_etag()
    {
        await using var host = await StartAsync();
        foreach (var (name, type) in new[] { ("portal.js", "text/javascript"), ("portal.css", "text/css"), ("page.css", "text/css") })
        {
            var response = await host.Client.GetAsync($"{LinkPortal}/assets/{name}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100);
            var again = new HttpRequestMessage(HttpMethod.Get, $"{LinkPortal}/assets/{name}");
            again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
            Assert.Equal(HttpStatusCode.NotModified, (await host.Client.SendAsync(again)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"{LinkPortal}/assets/secrets.json")).StatusCode);
        string script = await host.Client.GetStringAsync($"{LinkPortal}/assets/portal.js");
        // Nothing is loaded from elsewhere: no import, fetch or stylesheet from an absolute URL.
        Assert.DoesNotMatch(@"(import|fetch|href|src)\W+['""`]?(https?:)?//", script);
    }

    [Fact]
    public void Mistakes_in_mapping_the_portal_are_refused_at_start_up()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddWebhooks().AddInMemoryStore();
        using var app = builder.Build();

        var noLinks = Assert.Throws<InvalidOperationException>(() => app.MapWebhookPortal("/p", o => o.SignedLinks = true));
        Assert.Contains("AddPortalLinks()", noLinks.Message, StringComparison.Ordinal);
        var tenantInRoute = Assert.Throws<InvalidOperationException>(() => app.MapWebhookPortal("/w/{workspaceId}/p", o => o.SignedLinks = true));
        Assert.Contains("no route parameters", tenantInRoute.Message, StringComparison.Ordinal);
        Assert.Contains("CSS hex", Assert.Throws<ArgumentException>(() => app.MapWebhookPortal("/a", o => o.PrimaryColor = "red;}body{")).Message, StringComparison.Ordinal);
        Assert.Contains("https URL", Assert.Throws<ArgumentException>(() => app.MapWebhookPortal("/b", o => o.LogoUrl = "javascript:alert(1)")).Message, StringComparison.Ordinal);
        var frame = Assert.Throws<ArgumentException>(() => app.MapWebhookPortal("/c", o => o.FrameAncestors.Add("https://a.example; script-src *")));
        Assert.Contains("origins", frame.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Links_are_refused_beyond_their_bounds()
    {
        var links = new WebhookPortalLinks(new EphemeralDataProtectionProvider(), Options.Create(new WebhookPortalLinkOptions()), TimeProvider.System);
        Assert.Throws<ArgumentOutOfRangeException>(() => links.CreateToken("acme", WebhookPortalPermissions.All, TimeSpan.FromDays(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => links.CreateToken("acme", WebhookPortalPermissions.All, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => links.CreateToken("acme", (WebhookPortalPermissions)64));
        Assert.Throws<ArgumentException>(() => links.CreateToken("", WebhookPortalPermissions.All));

        var url = links.CreateLink(new Uri("http://127.0.0.1:5080/embed/webhooks"), "acme", WebhookPortalPermissions.ReadLog);
        Assert.Equal("/embed/webhooks", url.AbsolutePath);
        Assert.Empty(url.Query);
        Assert.True(links.TryRead(url.Fragment["#token=".Length..], out var link, out _));
        Assert.Equal(new WebhookPortalLink("acme", WebhookPortalPermissions.ReadLog, link.ExpiresAt), link);
        Assert.InRange(link.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
    }
}
