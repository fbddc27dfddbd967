using Microsoft.Extensions.DependencyInjection;
using WebhookSender.Storage;
using System.Net;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>OAuth2 client credentials set through the HTTP API: read back without the secret, kept by a patch (issue 24).</summary>
public sealed class OAuth2ApiTests
{
    [Fact]
    public async Task OAuth2_authentication_reads_back_redacted_and_a_patch_keeps_the_client_secret()
    {
        await using var host = await ApiHost.StartAsync();
        var created = await host.CreateAsync("acme", new
        {
            url = host.Receiver.UrlFor("/hooks"),
            authentication = new { scheme = "oauth2", tokenUrl = "https://auth.example/oauth/token", username = "shop", secret = "client-s3cret", scopes = new[] { "orders:write" }, audience = "partner" },
        });
        var auth = created["subscription"]!["authentication"]!;
        Assert.Equal(
            """{"scheme":"oauth2","username":"shop","secret":"********","headerName":null,"tokenUrl":"https://auth.example/oauth/token","scopes":["orders:write"],"audience":"partner"}""",
            auth.ToJsonString());
        string id = (string)created["subscription"]!["id"]!;

        var patched = await FlowTests.SendAsync(host, HttpMethod.Patch, $"/{id}", """{"name":"renamed"}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var stored = await host.Services.GetRequiredService<IWebhookStore>().GetSubscriptionAsync(id, default);
        Assert.Equal(("client-s3cret", "shop"), (stored!.Authentication!.Secret, stored.Authentication.Username));
    }

    [Fact]
    public async Task OAuth2_without_a_token_url_answers_400_naming_authentication()
    {
        await using var host = await ApiHost.StartAsync();
        string body = $$$"""{"url":"{{{host.Receiver.UrlFor("/hooks")}}}","authentication":{"scheme":"oauth2","username":"shop","secret":"x"}}""";

        var response = await FlowTests.SendAsync(host, HttpMethod.Post, "", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await ApiHost.JsonAsync(response))["errors"]!.AsObject();
        Assert.Contains("token endpoint", (string)errors["authentication"]![0]!, StringComparison.Ordinal);
    }
}
