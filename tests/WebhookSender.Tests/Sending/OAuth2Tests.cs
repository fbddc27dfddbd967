using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Sending;

/// <summary>OAuth2 client credentials against a token server of the tests' own and a Kestrel receiver, both on 127.0.0.1 (issue 24, item 1).</summary>
public class OAuth2Tests
{
    [Fact]
    public async Task Concurrent_deliveries_share_one_token_fetch_and_every_request_carries_it()
    {
        await using var tokenServer = await TokenServer.StartAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o => o.MaxConcurrency = 16);

        // Five endpoints of one client: their first attempts run at once (each new endpoint gets a probation slot), and all
        // five need the token the 200 ms token request is still fetching.
        for (int i = 0; i < 5; i++)
        {
            receiver.Respond($"/hooks/{i}", r => r.Headers.TryGetValue("Authorization", out var auth) && auth == "Bearer tok-1" ? ReceiverResponse.Ok() : ReceiverResponse.Status(401));
            await CreateAsync(host, receiver.UrlFor($"/hooks/{i}"), tokenServer.TokenUrl, scopes: ["orders:write", "refunds:write"], audience: "https://partner.example");
        }

        for (int i = 0; i < 4; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }));
        }

        var received = await receiver.WaitForAsync(all => all.Count(r => r.Path.StartsWith("/hooks/", StringComparison.Ordinal)) >= 20, TimeSpan.FromSeconds(20));
        Assert.All(received, r => Assert.Equal("Bearer tok-1", r.Headers["Authorization"]));
        Assert.Equal(1, tokenServer.Requests);
        var form = Assert.Single(tokenServer.Forms);
        Assert.Equal(("client_credentials", "orders:write refunds:write", "https://partner.example"), (form["grant_type"], form["scope"], form["audience"]));

        // The log never shows the token or the client secret.
        var attempts = await host.AttemptsAsync();
        string log = System.Text.Json.JsonSerializer.Serialize(attempts);
        Assert.DoesNotContain("tok-1", log, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenServer.ClientSecret, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_401_from_the_endpoint_gets_one_new_token_and_one_more_try_in_the_same_attempt()
    {
        await using var tokenServer = await TokenServer.StartAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();

        // The endpoint revoked the first token: only the second is good.
        receiver.Respond("/hooks", r => r.Headers.TryGetValue("Authorization", out var auth) && auth == "Bearer tok-2" ? ReceiverResponse.Ok() : ReceiverResponse.Status(401));
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = [TimeSpan.FromHours(1)]);
        var subscription = await CreateAsync(host, receiver.UrlFor("/hooks"), tokenServer.TokenUrl);

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 1 }));

        var received = await receiver.WaitForCountAsync("/hooks", 2, TimeSpan.FromSeconds(10));
        Assert.Equal(["Bearer tok-1", "Bearer tok-2"], received.Select(r => r.Headers["Authorization"]));
        var delivery = await Eventually.WaitForAsync(async () => (await host.DeliveriesOfAsync(published.MessageId)).Single(), d => d.IsCompleted, "the delivery to finish");
        Assert.Equal((DeliveryStatus.Succeeded, 1), (delivery.Status, delivery.AttemptCount));
        Assert.Equal(2, tokenServer.Requests);

        // A 401 to a new token too is the endpoint's answer, not a stale token: the attempt failed, after one more token.
        receiver.Respond("/hooks", ReceiverResponse.Status(401));
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 2 }));
        await receiver.WaitForCountAsync("/hooks", 4, TimeSpan.FromSeconds(10));
        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(subscription.Id), a => a.Count == 2, "the second attempt recorded");
        Assert.Equal(401, attempts[^1].Response!.StatusCode);
        Assert.Equal(3, tokenServer.Requests);
    }

    [Fact]
    public async Task A_failing_token_endpoint_is_a_failed_attempt_that_says_so_and_nothing_reaches_the_receiver()
    {
        await using var tokenServer = await TokenServer.StartAsync();
        tokenServer.FailWith = 503;
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = [TimeSpan.FromMilliseconds(100)]);
        var subscription = await CreateAsync(host, receiver.UrlFor("/hooks"), tokenServer.TokenUrl);

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 1 }));

        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(subscription.Id), a => a.Count == 2, "two failed attempts");
        Assert.All(attempts, a =>
        {
            Assert.False(a.Succeeded);
            Assert.Null(a.Response);
            Assert.Equal(
                $"No OAuth2 token, so no request was sent: The OAuth2 token endpoint 127.0.0.1:{tokenServer.TokenUrl.Port} answered 503: temporarily_unavailable (maintenance).",
                a.Error);
        });
        Assert.Empty(receiver.ReceivedOn("/hooks"));

        // The token endpoint recovers: the next try gets a token and delivers.
        tokenServer.FailWith = null;
        var ok = await Eventually.WaitForAsync(() => host.DeliveriesOfAsync(attempts[0].MessageId), d => d.Single().Status == DeliveryStatus.Failed, "the delivery exhausted its two attempts");
        await host.Deliveries.RedeliverAsync(attempts[0].MessageId, subscription.Id);
        await receiver.WaitForCountAsync("/hooks", 1, TimeSpan.FromSeconds(10));
        Assert.Single(ok);
    }

    [Fact]
    public async Task The_client_secret_is_redacted_and_an_oauth2_setting_without_a_token_url_is_refused()
    {
        await using var host = await TestHost.StartAsync();
        var created = await CreateAsync(host, new Uri("https://receiver.example/hooks"), new Uri("https://auth.example/oauth/token"));
        Assert.Equal("********", created.Authentication!.Secret);
        Assert.DoesNotContain(TokenServer.ClientSecret, created.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TokenServer.ClientSecret, (await host.Store.GetSubscriptionAsync(created.Id, default))!.Authentication!.ToString(), StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = new Uri("https://receiver.example/hooks"),
            Authentication = new WebhookAuthentication { Scheme = WebhookAuthenticationScheme.OAuth2, Username = "shop", Secret = "x", Scopes = ["has space"] },
        }));
        var problems = error.Errors[nameof(WebhookSubscriptionRequest.Authentication)];
        Assert.Contains(problems, p => p.StartsWith("OAuth2 needs the absolute https URL of the receiver's token endpoint", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("OAuth2 scopes are", StringComparison.Ordinal));
    }

    private static async Task<WebhookSubscription> CreateAsync(TestHost host, Uri url, Uri tokenUrl, IReadOnlyList<string>? scopes = null, string? audience = null) =>
        (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = url,
            Authentication = WebhookAuthentication.OAuth2(tokenUrl, TokenServer.ClientId, TokenServer.ClientSecret, scopes, audience),
        })).Subscription;
}
