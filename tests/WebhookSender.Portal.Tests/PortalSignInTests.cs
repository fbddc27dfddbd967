using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using WebhookSender.Portal.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WebhookSender.Portal.Tests;

/// <summary>
/// The portal in the host's own pages behind the host's cookie sign-in: the page and every API call it makes go through
/// the host's authorization, which lets a user into their own workspace only.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PortalSignInTests(BrowserFixture browser)
{
    private static Task<PortalHost> StartAsync() => PortalHost.StartAsync(
        services: builder =>
        {
            builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
            {
                // An API-style host: status codes instead of redirects to login and access-denied pages.
                o.Events.OnRedirectToLogin = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
            builder.Services.AddAuthorizationBuilder().AddPolicy("workspace", p => p.RequireAssertion(context =>
                context.Resource is HttpContext http && context.User.HasClaim("workspace", (string)http.GetRouteValue("workspaceId")!)));
        },
        signIn: app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/login/{workspace}", async (string workspace, HttpContext http) =>
            {
                var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ada"), new Claim("workspace", workspace)], CookieAuthenticationDefaults.AuthenticationScheme));
                await http.SignInAsync(user);
                return Results.Redirect(PortalHost.PortalPath(workspace));
            });
        },
        policy: "workspace");

    [Fact]
    public async Task The_page_and_its_calls_go_through_the_hosts_sign_in_and_reach_the_users_workspace_only()
    {
        await using var host = await StartAsync();
        var subscriptions = host.Services.GetRequiredService<IWebhookSubscriptions>();
        await subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = host.Receiver.UrlFor("/acme"), TenantId = "acme", Name = "Acme's" });
        await subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = host.Receiver.UrlFor("/globex"), TenantId = "globex", Name = "Globex's" });
        var page = await browser.NewPageAsync();

        // Not signed in: neither the page nor the API answers (asked with the browser context's cookies).
        Assert.Equal(401, (await page.APIRequest.GetAsync(host.Url(PortalHost.PortalPath("acme")))).Status);
        Assert.Equal(401, (await page.APIRequest.GetAsync(host.Url("/api/workspaces/acme/webhooks"))).Status);

        // Signed in to acme: the portal works with the cookie alone, and shows acme's endpoints.
        await page.GotoAsync(host.Url("/login/acme"));
        var rows = page.Locator("tr[data-subscription]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("Acme's");
        await page.GetByRole(AriaRole.Button, new() { Name = "Actions for " + host.Receiver.UrlFor("/acme") }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Send ping" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Ping queued" })).ToBeVisibleAsync();

        // Globex's portal and API are not this user's.
        Assert.Equal(403, (await page.APIRequest.GetAsync(host.Url(PortalHost.PortalPath("globex")))).Status);
        Assert.Equal(403, (await page.APIRequest.GetAsync(host.Url("/api/workspaces/globex/webhooks"))).Status);
    }
}
