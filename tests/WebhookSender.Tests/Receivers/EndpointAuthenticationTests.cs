using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Receivers;

/// <summary>Endpoint authentication and custom headers, as a real receiver sees them, and their redaction everywhere else.</summary>
public class EndpointAuthenticationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static TheoryData<string, WebhookAuthentication, string, string, string> Schemes => new()
    {
        { "basic", WebhookAuthentication.Basic("acme", "pa55-w0rd-basic"), "Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("acme:pa55-w0rd-basic")), "pa55-w0rd-basic" },
        { "bearer", WebhookAuthentication.Bearer("tok-bearer-123"), "Authorization", "Bearer tok-bearer-123", "tok-bearer-123" },
        { "header", WebhookAuthentication.Header("X-Api-Key", "key-header-456"), "X-Api-Key", "key-header-456", "key-header-456" },
    };

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task The_receiver_sees_the_credential_and_nothing_else_shows_it(string scheme, WebhookAuthentication auth, string header, string expected, string credential)
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/auth", ReceiverResponse.Status(500));
        await using var host = await TestHost.StartAsync(
            o => o.RetrySchedule = [TimeSpan.FromHours(1)],
            build: b => b.Services.AddLogging(l => l.AddFakeLogging().SetMinimumLevel(LogLevel.Trace)));
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/auth"),
            Authentication = auth,
            Headers = new Dictionary<string, string> { ["X-Tenant-Route"] = "eu-1" },
        });

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var received = (await receiver.WaitForCountAsync("/auth", 1, Wait)).Single();
        Assert.Equal(expected, received.Headers[header]);
        Assert.Equal("eu-1", received.Headers["X-Tenant-Route"]);
        var attempt = (await Eventually.WaitForAsync(() => host.AttemptsAsync(created.Subscription.Id), a => a.Count == 1, $"{scheme} attempt")).Single();
        Assert.Equal("[redacted]", attempt.Request.Headers[header]);
        Assert.Equal("eu-1", attempt.Request.Headers["X-Tenant-Route"]);
        Assert.DoesNotContain(credential, System.Text.Json.JsonSerializer.Serialize(attempt));
        var read = await host.Subscriptions.GetAsync(created.Subscription.Id);
        Assert.Equal("********", read!.Authentication!.Secret);
        Assert.DoesNotContain(credential, read.ToString());
        Assert.DoesNotContain(credential, read.Authentication.ToString());
        var listed = await host.Subscriptions.ListAsync();
        Assert.Equal("********", listed.Items.Single().Authentication!.Secret);
        var notified = await Eventually.WaitForAsync(() => Task.FromResult(host.Notifications.AttemptsFailed.ToList()), n => n.Count == 1, "the failure notification");
        Assert.Equal("********", notified[0].Subscription.Authentication!.Secret);
        var logs = host.Services.GetFakeLogCollector().GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.All(logs, l => Assert.DoesNotContain(credential, l.Message));
    }

    [Fact]
    public async Task Updating_with_the_redacted_credential_keeps_the_stored_one()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.UrlFor("/keep"), Authentication = WebhookAuthentication.Bearer("original-token") });
        var read = await host.Subscriptions.GetAsync(created.Subscription.Id);

        await host.Subscriptions.UpdateAsync(created.Subscription.Id, new WebhookSubscriptionRequest { Url = read!.Url, Name = "renamed", Authentication = read.Authentication });
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var received = (await receiver.WaitForCountAsync("/keep", 1, Wait)).Single();
        Assert.Equal("Bearer original-token", received.Headers["Authorization"]);
    }

    public static TheoryData<string, WebhookSubscriptionRequest, string> BadSettings => new()
    {
        { "basic without user", new() { Url = new Uri("https://x.example"), Authentication = WebhookAuthentication.Basic("", "p") }, "needs a user name" },
        { "basic user with colon", new() { Url = new Uri("https://x.example"), Authentication = WebhookAuthentication.Basic("a:b", "p") }, "without ':'" },
        { "empty bearer", new() { Url = new Uri("https://x.example"), Authentication = WebhookAuthentication.Bearer("") }, "credential must be 1 to" },
        { "bearer with space", new() { Url = new Uri("https://x.example"), Authentication = WebhookAuthentication.Bearer("a b") }, "cannot contain spaces" },
        { "header auth on reserved name", new() { Url = new Uri("https://x.example"), Authentication = WebhookAuthentication.Header("webhook-signature", "k") }, "is set by WebhookSender" },
        { "header with line break", new() { Url = new Uri("https://x.example"), Headers = new Dictionary<string, string> { ["X-A"] = "a\r\nInjected: 1" } }, "without line breaks" },
        { "reserved custom header", new() { Url = new Uri("https://x.example"), Headers = new Dictionary<string, string> { ["Content-Type"] = "text/plain" } }, "is set by WebhookSender" },
        { "bad header name", new() { Url = new Uri("https://x.example"), Headers = new Dictionary<string, string> { ["X A"] = "1" } }, "not a valid header name" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_authentication_and_headers_are_refused_without_echoing_credentials(string kind, WebhookSubscriptionRequest request, string expected)
    {
        await using var host = await TestHost.StartAsync();

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(request));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{kind}: {error.Message}");
        Assert.Empty((await host.Subscriptions.ListAsync()).Items);
    }
}
