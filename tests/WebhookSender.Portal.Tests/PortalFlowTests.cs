using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using WebhookSender.Portal.Tests.Infrastructure;
using WebhookSender.Testing;
using static Microsoft.Playwright.Assertions;

namespace WebhookSender.Portal.Tests;

/// <summary>The portal in the host's own pages, clicked through in a real Chromium against a real receiver.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PortalFlowTests(BrowserFixture browser)
{
    [Fact]
    public async Task Create_see_the_secret_once_test_publish_filter_failed_open_an_attempt_and_redeliver_it()
    {
        await using var host = await PortalHost.StartAsync();
        bool failing = false;
        host.Receiver.Respond("/orders", _ => failing ? ReceiverResponse.Status(500, "{\"error\":\"down for maintenance\"}") : ReceiverResponse.Ok());
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Url(PortalHost.PortalPath("acme")));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Endpoints" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No endpoints yet")).ToBeVisibleAsync();

        // Create: a URL the API refuses shows its error next to the field, and nothing is stored.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await page.GetByLabel("Endpoint URL", new() { Exact = true }).FillAsync("ftp://127.0.0.1/orders");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Order updates");
        await page.GetByLabel("Only the events I choose", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("order.created", new() { Exact = true }).CheckAsync();
        await page.GetByText("Example payload").First.ClickAsync();
        await Expect(page.Locator("pre").First).ToContainTextAsync("\"orderId\": \"ord_1\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        await Expect(page.Locator("[data-field=url] .error")).ToContainTextAsync("scheme");
        await Expect(page.GetByLabel("Endpoint URL", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Empty((await host.Services.GetRequiredService<IWebhookSubscriptions>().ListAsync(new SubscriptionQuery { TenantId = "acme" })).Items);

        await page.GetByLabel("Endpoint URL", new() { Exact = true }).FillAsync(host.Receiver.UrlFor("/orders").ToString());
        await Screenshots.SaveAsync(page, "edit");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();

        // The secret, once, with a copy button; closed, it is nowhere in the page.
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Signing secret" });
        await Expect(dialog).ToBeVisibleAsync();
        var subscription = Assert.Single((await host.Services.GetRequiredService<IWebhookSubscriptions>().ListAsync(new SubscriptionQuery { TenantId = "acme" })).Items);
        string secret = await host.Services.GetRequiredService<IWebhookSubscriptions>().GetSecretAsync(subscription.Id);
        await Expect(dialog.Locator("[data-secret]")).ToHaveTextAsync(secret);
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Copy" })).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "I have saved it" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await ShadowHtmlAsync(page), StringComparison.Ordinal);
        Assert.Equal("Order updates", subscription.Name);
        Assert.Equal(["order.created"], subscription.EventTypes);

        // Test this webhook: the report of each example sent.
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Test: 1 of 1 succeeded" })).ToBeVisibleAsync();

        // Publish to a failing receiver, then one that answers again.
        failing = true;
        var failed = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            failed.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated($"ord_{i}", 1, 5m)) { TenantId = "acme" })).MessageId);
        }

        await WaitForDeliveriesAsync(host, subscription.Id, "failed", 2);
        failing = false;
        string delivered = (await host.Publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated("ord_ok", 1, 5m)) { TenantId = "acme" })).MessageId;
        await WaitForDeliveriesAsync(host, subscription.Id, "succeeded", 2); // the creation ping and ord_ok (a test is not a delivery)

        // The log, filtered to Failed: the two, and an attempt open to its request and response.
        var log = page.GetByRole(AriaRole.Region, new() { Name = "Delivery log" });
        await log.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await log.GetByRole(AriaRole.Button, new() { Name = "Failed", Exact = true }).ClickAsync();
        var rows = log.Locator("tr[data-delivery]");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(log.Locator("tr[data-status=failed]")).ToHaveCountAsync(2);
        var row = log.Locator($"tr[data-delivery]:has-text('{failed[0]}')");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Attempts of {failed[0]}" }).ClickAsync();
        await log.Locator("[data-attempt]").First.ClickAsync();
        var request = log.GetByRole(AriaRole.Region, new() { Name = "Request" });
        var response = log.GetByRole(AriaRole.Region, new() { Name = "Response" });
        await Expect(request).ToContainTextAsync("webhook-id");
        await Expect(request).ToContainTextAsync(failed[0]);
        await Expect(request).ToContainTextAsync("\"orderId\": \"ord_0\"");
        await Expect(response).ToContainTextAsync("500");
        await Expect(response).ToContainTextAsync("down for maintenance");
        await Screenshots.SaveAsync(page, "log");

        // Redeliver it: it succeeds, under the Success filter, with the same webhook-id.
        await row.GetByRole(AriaRole.Button, new() { Name = "Redeliver" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "queued again" })).ToBeVisibleAsync();
        await WaitForDeliveriesAsync(host, subscription.Id, "succeeded", 3);
        await log.GetByRole(AriaRole.Button, new() { Name = "Success", Exact = true }).ClickAsync();
        await Expect(log.Locator($"tr[data-status=succeeded]:has-text('{failed[0]}')")).ToHaveCountAsync(1);
        await Expect(log.Locator($"tr[data-status=succeeded]:has-text('{delivered}')")).ToHaveCountAsync(1);
        Assert.Equal(2, host.Receiver.ReceivedOn("/orders").Count(r => r.WebhookId == failed[0]));

        // Back to the list: the endpoint, its state and last delivery, and a ping from its menu, by keyboard.
        await page.GetByRole(AriaRole.Button, new() { Name = "← All endpoints" }).ClickAsync();
        var listed = page.Locator($"tr[data-subscription='{subscription.Id}']");
        await Expect(listed).ToContainTextAsync("Order updates");
        await Expect(listed).ToContainTextAsync("Active");
        await Expect(listed).ToContainTextAsync("succeeded");
        await Screenshots.SaveAsync(page, "list");
        int before = host.Receiver.ReceivedOn("/orders").Count;
        await listed.GetByRole(AriaRole.Button, new() { Name = $"Actions for {subscription.Url}" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.GetByRole(AriaRole.Menuitem, new() { Name = "Send ping" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Ping queued" })).ToBeVisibleAsync();
        await host.Receiver.WaitForCountAsync("/orders", before + 1, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Edit_is_the_create_screen_filled_in_and_keeps_what_it_does_not_show()
    {
        await using var host = await PortalHost.StartAsync();
        var subscriptions = host.Services.GetRequiredService<IWebhookSubscriptions>();
        var created = await subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = host.Receiver.UrlFor("/orders"),
            TenantId = "acme",
            EventTypes = ["order.shipped"],
            Headers = new Dictionary<string, string> { ["X-Team"] = "fulfilment", ["X-Old"] = "gone soon" },
            Authentication = WebhookAuthentication.Bearer("s3cr3t-token-value"),
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Url(PortalHost.PortalPath("acme")));
        await page.GetByRole(AriaRole.Button, new() { Name = created.Subscription.Url!.ToString(), Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();

        await Expect(page.GetByLabel("Endpoint URL", new() { Exact = true })).ToHaveValueAsync(created.Subscription.Url!.ToString());
        await Expect(page.GetByLabel("Only the events I choose", new() { Exact = true })).ToBeCheckedAsync();
        await Expect(page.GetByLabel("order.shipped", new() { Exact = true })).ToBeCheckedAsync();
        await Expect(page.GetByLabel("Scheme", new() { Exact = true })).ToHaveValueAsync("bearer");
        Assert.DoesNotContain("s3cr3t-token-value", await ShadowHtmlAsync(page), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-token-value", await page.Locator("webhooks-portal").EvaluateAsync<string>(
            "e => [...e.shadowRoot.querySelectorAll('input')].map(i => i.value).join('|')"), StringComparison.Ordinal);

        await page.GetByLabel("Description", new() { Exact = true }).FillAsync("Shipments for the warehouse team");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove header X-Old" }).ClickAsync();
        await page.GetByLabel("Send me everything", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Changes saved" })).ToBeVisibleAsync();

        var stored = (await subscriptions.GetAsync(created.Subscription.Id))!;
        Assert.Equal("Shipments for the warehouse team", stored.Description);
        Assert.Equal(["*"], stored.EventTypes);
        Assert.Equal(new Dictionary<string, string> { ["X-Team"] = "fulfilment" }, stored.Headers);

        // The redacted token the form sent back kept the stored one: the receiver still gets it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Send ping" }).ClickAsync();
        var pings = await host.Receiver.WaitForAsync(r => r.Count(w => w.BodyText.Contains("webhook.ping", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(10));
        Assert.All(pings, w => Assert.Equal("Bearer s3cr3t-token-value", w.Headers.First(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).Value));
    }

    [Fact]
    public async Task Works_at_phone_width_and_by_keyboard_alone()
    {
        await using var host = await PortalHost.StartAsync();
        var page = await browser.NewPageAsync(BrowserFixture.Phone);
        await page.GotoAsync(host.Url(PortalHost.PortalPath("acme")));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Endpoints" })).ToBeVisibleAsync();

        // Tab reaches "Add endpoint"; Enter opens the form; typing and Enter submit it.
        for (int i = 0; i < 5 && !await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).EvaluateAsync<bool>("b => b.getRootNode().activeElement === b"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByLabel("Endpoint URL", new() { Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Endpoint URL", new() { Exact = true }).FocusAsync();
        await page.Keyboard.TypeAsync(host.Receiver.UrlFor("/phone").ToString());
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Signing secret" })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Delivery log" })).ToBeVisibleAsync();

        int width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= BrowserFixture.Phone.Width, $"the page is {width} px wide in a {BrowserFixture.Phone.Width} px window");
    }

    private static Task<string> ShadowHtmlAsync(IPage page) =>
        page.Locator("webhooks-portal").EvaluateAsync<string>("e => e.shadowRoot.innerHTML");

    /// <summary>Polls the API until the subscription has <paramref name="count"/> deliveries in <paramref name="status"/>.</summary>
    [Fact]
    public async Task Editing_an_oauth2_endpoint_shows_its_token_url_and_scopes_and_keeps_the_client_secret_and_audience()
    {
        await using var host = await PortalHost.StartAsync();
        var subscriptions = host.Services.GetRequiredService<IWebhookSubscriptions>();
        var created = await subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = host.Receiver.UrlFor("/orders"),
            TenantId = "acme",
            Authentication = WebhookAuthentication.OAuth2(new Uri("https://auth.example/oauth/token"), "shop", "client-s3cret", ["orders:write"], audience: "partner"),
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Url(PortalHost.PortalPath("acme")));
        await page.GetByRole(AriaRole.Button, new() { Name = created.Subscription.Url!.ToString(), Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();

        await Expect(page.GetByLabel("Scheme", new() { Exact = true })).ToHaveValueAsync("oauth2");
        await Expect(page.GetByLabel("Token URL", new() { Exact = true })).ToHaveValueAsync("https://auth.example/oauth/token");
        await Expect(page.GetByLabel("Username or client id", new() { Exact = true })).ToHaveValueAsync("shop");
        await page.GetByLabel("Scopes", new() { Exact = true }).FillAsync("orders:write refunds:write");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Changes saved" })).ToBeVisibleAsync();

        var stored = (await host.Services.GetRequiredService<WebhookSender.Storage.IWebhookStore>().GetSubscriptionAsync(created.Subscription.Id, default))!.Authentication!;
        Assert.Equal((WebhookAuthenticationScheme.OAuth2, "client-s3cret", "partner"), (stored.Scheme, stored.Secret, stored.Audience));
        Assert.Equal(["orders:write", "refunds:write"], stored.Scopes);
        Assert.DoesNotContain("client-s3cret", await ShadowHtmlAsync(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_signing_v1a_shows_its_public_keys_for_the_receiver()
    {
        await using var host = await PortalHost.StartAsync();
        var subscriptions = host.Services.GetRequiredService<IWebhookSubscriptions>();
        var created = await subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = host.Receiver.UrlFor("/orders"),
            TenantId = "acme",
            Signatures = WebhookSignatures.V1 | WebhookSignatures.V1a,
        });
        string newKey = await subscriptions.RotateSigningKeyAsync(created.Subscription.Id);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Url(PortalHost.PortalPath("acme")));
        await page.GetByRole(AriaRole.Button, new() { Name = created.Subscription.Url!.ToString(), Exact = true }).ClickAsync();

        var keys = page.Locator("[data-public-key]");
        await Expect(keys).ToHaveCountAsync(2);
        await Expect(keys.First).ToHaveTextAsync(newKey);
        await Expect(keys.Nth(1)).ToHaveTextAsync(created.Subscription.SigningKeys[0].PublicKey);
        await Expect(page.GetByText("v1 (HMAC, with the secret), v1a (Ed25519)")).ToBeVisibleAsync();
        Assert.DoesNotContain("whsk_", await ShadowHtmlAsync(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_with_a_client_certificate_shows_which_and_until_when_but_never_its_key()
    {
        await using var host = await PortalHost.StartAsync();
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=acme-webhooks", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var created = await host.Services.GetRequiredService<IWebhookSubscriptions>().CreateAsync(new WebhookSubscriptionRequest
        {
            Url = new Uri($"https://127.0.0.1:{host.Receiver.UrlFor("/").Port}/orders"),
            TenantId = "acme",
            ClientCertificate = WebhookClientCertificate.FromPem(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()),
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Url(PortalHost.PortalPath("acme")));
        await page.GetByRole(AriaRole.Button, new() { Name = created.Subscription.Url!.ToString(), Exact = true }).ClickAsync();

        var shown = page.Locator("[data-client-certificate]");
        await Expect(shown).ToContainTextAsync("CN=acme-webhooks");
        await Expect(shown).ToContainTextAsync("expires");
        Assert.DoesNotContain("PRIVATE KEY", await ShadowHtmlAsync(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pull_subscription_shows_how_far_its_reader_is()
    {
        await using var host = await PortalHost.StartAsync(services: builder => builder.Services.Configure<WebhookOptions>(o => o.PingOnCreate = false));
        var created = await host.Services.GetRequiredService<IWebhookSubscriptions>().CreateAsync(new WebhookSubscriptionRequest { TenantId = "acme", Name = "Warehouse feed" });
        var publisher = host.Services.GetRequiredService<IWebhookPublisher>();
        for (int i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(new WebhookEvent("order.created", new { id = i }) { TenantId = "acme" });
        }

        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Url(PortalHost.PortalPath("acme")));
        await page.GetByRole(AriaRole.Button, new() { Name = "Pull: Warehouse feed", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-pull-backlog]")).ToContainTextAsync("3 messages wait for the reader");
        await Expect(page.Locator("[data-last-read]")).ToHaveTextAsync("Never read yet.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send test" })).ToHaveCountAsync(0);

        // The reader takes them all and moves its cursor past them.
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var read = await updates.ReadAsync(created.Subscription.Id);
        await updates.ReadAsync(created.Subscription.Id, read.Cursor);
        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pull: Warehouse feed", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-pull-backlog]")).ToContainTextAsync("Read up to date");
        await Expect(page.Locator("[data-last-read]")).ToContainTextAsync("Last read");
    }

    [Fact]
    public async Task A_delivery_held_back_shows_why_and_when_it_goes_next_in_the_log()
    {
        await using var host = await PortalHost.StartAsync(services: builder => builder.Services.Configure<WebhookOptions>(o =>
        {
            o.PingOnCreate = false;
            o.Quotas.PerTenant = 1;
        }));
        var created = await host.Services.GetRequiredService<IWebhookSubscriptions>().CreateAsync(new WebhookSubscriptionRequest
        {
            Url = host.Receiver.UrlFor("/orders"),
            TenantId = "acme",
        });
        var publisher = host.Services.GetRequiredService<IWebhookPublisher>();
        await publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated("ord_1", 1, 5m)) { TenantId = "acme" });
        var held = await publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated("ord_2", 1, 5m)) { TenantId = "acme" });
        await WaitForDeliveriesAsync(host, created.Subscription.Id, "succeeded", 1);
        await WaitForDeliveriesAsync(host, created.Subscription.Id, "queued", 1);

        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Url(PortalHost.PortalPath("acme")));
        await page.GetByRole(AriaRole.Button, new() { Name = created.Subscription.Url!.ToString(), Exact = true }).ClickAsync();
        var log = page.GetByRole(AriaRole.Region, new() { Name = "Delivery log" });
        var row = log.Locator($"tr[data-delivery]").Filter(new() { HasText = held.MessageId });
        await Expect(row.Locator("[data-hold]")).ToContainTextAsync("Quota: tenant 'acme' has used its 1 requests of the window");
        await Expect(row.Locator("[data-hold]")).ToContainTextAsync("Next try");
        await Expect(log.Locator("tr[data-status=succeeded] [data-hold]")).ToHaveCountAsync(0);
    }

    internal static async Task WaitForDeliveriesAsync(PortalHost host, string subscriptionId, string status, int count)
    {
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(15);
        int seen = 0;
        while (DateTime.UtcNow < deadline)
        {
            var page = await client.GetFromJsonAsync<JsonObject>($"/api/workspaces/acme/webhooks/{subscriptionId}/deliveries?status={status}");
            seen = page!["items"]!.AsArray().Count;
            if (seen >= count)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"{seen} deliveries {status}, not {count}, within 15 s.");
    }
}
