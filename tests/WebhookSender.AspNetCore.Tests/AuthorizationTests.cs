using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>The API works with the host's own authentication and policies: reading the log can be allowed without deleting.</summary>
public sealed class AuthorizationTests
{
    [Fact]
    public async Task A_reader_can_read_but_not_change_and_an_anonymous_caller_gets_nothing()
    {
        await using var host = await ApiHost.StartAsync(
            api: o =>
            {
                o.ReadPolicy = "webhooks.read";
                o.WritePolicy = "webhooks.write";
            },
            services: builder =>
            {
                builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, RoleHeaderHandler>("Test", null);
                builder.Services.AddAuthorizationBuilder()
                    .AddPolicy("webhooks.read", p => p.RequireRole("reader", "admin"))
                    .AddPolicy("webhooks.write", p => p.RequireRole("admin"));
            },
            group: g => g.RequireAuthorization());

        var admin = With(host, "admin");
        var created = await admin.SendAsync(Post(ApiHost.Path("acme"), $$"""{"url":"{{host.Receiver.UrlFor("/a")}}"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string id = (string)(await ApiHost.JsonAsync(created))["subscription"]!["id"]!;

        var reader = With(host, "reader");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(ApiHost.Path("acme"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(ApiHost.Path("acme", $"/{id}/attempts"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync(ApiHost.Path("acme", $"/{id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(ApiHost.Path("acme", $"/{id}/secret"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.SendAsync(Post(ApiHost.Path("acme"), "{}"))).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync(ApiHost.Path("acme"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(ApiHost.Path("acme", $"/{id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(ApiHost.Path("acme", $"/{id}"))).StatusCode);
    }

    private static HttpClient With(ApiHost host, string role)
    {
        var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
        client.DefaultRequestHeaders.Add("x-role", role);
        return client;
    }

    private static HttpRequestMessage Post(string path, string json) =>
        new(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };

    /// <summary>Stands in for the host's cookie or bearer scheme: the role is whatever the request's x-role header says.</summary>
    private sealed class RoleHeaderHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue("x-role", out var role))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone"), new Claim(ClaimTypes.Role, role.ToString())], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
