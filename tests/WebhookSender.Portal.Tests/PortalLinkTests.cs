using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using WebhookSender.AspNetCore;
using WebhookSender.Portal.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WebhookSender.Portal.Tests;

/// <summary>
/// The portal in an iframe on another origin, opened with a signed link: one tenant only, what the link grants only,
/// and nothing once it expires. The other origin is the test server named localhost.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PortalLinkTests(BrowserFixture browser)
{
    private static async Task<IFrame> OpenInPartnerFrameAsync(IPage page, PortalHost host, Uri link)
    {
        await page.GotoAsync(host.PartnerPage(link));
        await Expect(page.FrameLocator("iframe[title=Webhooks]").Locator("webhooks-portal")).ToHaveCountAsync(1);
        return page.Frames.Single(f => f.Url.StartsWith(host.BaseAddress.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_read_only_link_in_an_iframe_shows_its_tenant_and_offers_no_change()
    {
        await using var host = await PortalHost.StartAsync();
        var subscriptions = host.Services.GetRequiredService<IWebhookSubscriptions>();
        var mine = await subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = host.Receiver.UrlFor("/acme"), TenantId = "acme", Name = "Acme's" });
        var theirs = await subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = host.Receiver.UrlFor("/globex"), TenantId = "globex", Name = "Globex's" });
        var link = host.Link("acme", WebhookPortalPermissions.ReadLog);
        string token = link.Fragment["#token=".Length..];
        var page = await browser.NewPageAsync();
        var frame = await OpenInPartnerFrameAsync(page, host, link);

        var rows = frame.Locator("tr[data-subscription]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("Acme's");
        await Expect(frame.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" })).ToHaveCountAsync(0);

        // The token left the address bar and is nowhere in the page.
        Assert.DoesNotContain("token", frame.Url, StringComparison.Ordinal);
        string html = await frame.Locator("webhooks-portal").EvaluateAsync<string>("e => document.documentElement.outerHTML + e.shadowRoot.innerHTML");
        Assert.DoesNotContain(token, html, StringComparison.Ordinal);

        // The endpoint's screen reads, but offers nothing that changes.
        await frame.GetByRole(AriaRole.Button, new() { Name = mine.Subscription.Url!.ToString(), Exact = true }).ClickAsync();
        await Expect(frame.GetByRole(AriaRole.Region, new() { Name = "Delivery log" })).ToBeVisibleAsync();
        foreach (string action in new[] { "Edit", "Send test", "Send ping", "Disable", "Reveal secret", "Rotate secret", "Delete", "Recover" })
        {
            await Expect(frame.GetByRole(AriaRole.Button, new() { Name = action, Exact = true })).ToHaveCountAsync(0);
        }

        // Calling the API directly from the frame with the link: changes are refused, another tenant's id is unknown.
        string api = PortalHost.LinkPortal + "/api";
        int created = await frame.EvaluateAsync<int>(
            "([api, token]) => fetch(api + '/', { method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: JSON.stringify({ url: 'http://127.0.0.1:9/x' }) }).then(r => r.status)",
            new[] { api, token });
        int deleted = await frame.EvaluateAsync<int>(
            "([api, token, id]) => fetch(api + '/' + id, { method: 'DELETE', headers: { Authorization: 'Bearer ' + token } }).then(r => r.status)",
            new[] { api, token, mine.Subscription.Id });
        int foreign = await frame.EvaluateAsync<int>(
            "([api, token, id]) => fetch(api + '/' + id, { headers: { Authorization: 'Bearer ' + token } }).then(r => r.status)",
            new[] { api, token, theirs.Subscription.Id });
        Assert.Equal([403, 403, 404], new[] { created, deleted, foreign });
        Assert.Single((await subscriptions.ListAsync(new SubscriptionQuery { TenantId = "acme" })).Items);
        Assert.NotNull(await subscriptions.GetAsync(mine.Subscription.Id));
    }

    [Fact]
    public async Task A_managing_link_creates_for_its_own_tenant_only()
    {
        await using var host = await PortalHost.StartAsync();
        var page = await browser.NewPageAsync();
        var frame = await OpenInPartnerFrameAsync(page, host, host.Link("acme", WebhookPortalPermissions.ManageEndpoints));

        await frame.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await frame.GetByLabel("Endpoint URL", new() { Exact = true }).FillAsync(host.Receiver.UrlFor("/framed").ToString());
        await frame.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        await Expect(frame.GetByRole(AriaRole.Dialog, new() { Name = "Signing secret" })).ToBeVisibleAsync();
        await frame.GetByRole(AriaRole.Button, new() { Name = "I have saved it" }).ClickAsync();
        await Expect(frame.GetByRole(AriaRole.Button, new() { Name = "Send ping" })).ToBeVisibleAsync();
        await Expect(frame.GetByRole(AriaRole.Button, new() { Name = "Rotate secret" })).ToHaveCountAsync(0);

        var created = Assert.Single((await host.Services.GetRequiredService<IWebhookSubscriptions>().ListAsync(new SubscriptionQuery())).Items);
        Assert.Equal("acme", created.TenantId);
        await host.Receiver.WaitForCountAsync("/framed", 1, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_expired_or_incomplete_link_opens_nothing_and_says_why()
    {
        await using var host = await PortalHost.StartAsync();
        await host.Services.GetRequiredService<IWebhookSubscriptions>().CreateAsync(new WebhookSubscriptionRequest { Url = host.Receiver.UrlFor("/acme"), TenantId = "acme" });
        var issuedAnHourAgo = new WebhookPortalLinks(
            host.Services.GetRequiredService<IDataProtectionProvider>(),
            Options.Create(new WebhookPortalLinkOptions()),
            new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1)));
        var expired = issuedAnHourAgo.CreateLink(new Uri(host.BaseAddress, PortalHost.LinkPortal), "acme", WebhookPortalPermissions.All, TimeSpan.FromMinutes(10));

        var page = await browser.NewPageAsync();
        var frame = await OpenInPartnerFrameAsync(page, host, expired);
        await Expect(frame.GetByRole(AriaRole.Alert)).ToContainTextAsync("expired at");
        await Expect(frame.Locator("tr[data-subscription]")).ToHaveCountAsync(0);

        var bare = await browser.NewPageAsync();
        await bare.GotoAsync(host.Url(PortalHost.LinkPortal));
        await Expect(bare.GetByRole(AriaRole.Alert)).ToContainTextAsync("incomplete");
    }
}
