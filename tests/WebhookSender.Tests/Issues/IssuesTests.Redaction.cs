using System.Text;
using System.Text.Json;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Issues;

/// <summary>
/// Issue 19 item 4: a static header the host lists in <see cref="WebhookOptions.RedactedHeaders"/> is a credential
/// everywhere, and credentials a receiver echoes back never reach the stored attempt or the notifications.
/// </summary>
public partial class IssuesTests
{
    private const string PartnerToken = "partner-t0ken-9f3a";

    [Fact]
    public async Task A_static_header_listed_as_redacted_is_redacted_in_read_APIs_ToString_and_notifications()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/partner", ReceiverResponse.Status(500));
        await using var host = await TestHost.StartAsync(o =>
        {
            o.RetrySchedule = [TimeSpan.FromHours(1)];
            o.RedactedHeaders.Add("x-partner-token");
        });

        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/partner"),
            Headers = new Dictionary<string, string> { ["X-Partner-Token"] = PartnerToken, ["X-Route"] = "eu-1" },
        });
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        var received = Assert.Single(await receiver.WaitForCountAsync("/partner", 1, TimeSpan.FromSeconds(20)));
        var notified = await Eventually.WaitForAsync(() => Task.FromResult(host.Notifications.AttemptsFailed.ToList()), n => n.Count == 1, "the failure notification");

        Assert.Equal(PartnerToken, received.Headers["X-Partner-Token"]);
        var id = created.Subscription.Id;
        WebhookSubscription[] reads =
        [
            created.Subscription,
            (await host.Subscriptions.GetAsync(id))!,
            (await host.Subscriptions.ListAsync()).Items.Single(),
            await host.Subscriptions.DisableAsync(id),
            await host.Subscriptions.EnableAsync(id),
            notified[0].Subscription,
        ];
        Assert.All(reads, read =>
        {
            Assert.Equal("********", read.Headers["X-Partner-Token"]);
            Assert.Equal("eu-1", read.Headers["X-Route"]);
            Assert.DoesNotContain(PartnerToken, read.ToString());
            Assert.DoesNotContain(PartnerToken, Unescaped(read));
        });
        Assert.DoesNotContain(PartnerToken, notified[0].ToString());
        Assert.DoesNotContain(PartnerToken, Unescaped(notified[0]));
    }

    [Fact]
    public async Task Updating_with_a_redacted_static_header_keeps_the_stored_value()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o => o.RedactedHeaders.Add("X-Partner-Token"));
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/keep"),
            Headers = new Dictionary<string, string> { ["X-Partner-Token"] = PartnerToken },
        });
        var read = (await host.Subscriptions.GetAsync(created.Subscription.Id))!;

        var updated = await host.Subscriptions.UpdateAsync(read.Id, new WebhookSubscriptionRequest { Url = read.Url, Name = "renamed", Headers = read.Headers });
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        Assert.Equal("********", updated.Headers["X-Partner-Token"]);
        var received = Assert.Single(await receiver.WaitForCountAsync("/keep", 1, TimeSpan.FromSeconds(20)));
        Assert.Equal(PartnerToken, received.Headers["X-Partner-Token"]);
    }

    public static TheoryData<string, WebhookAuthentication, string[]> EchoedCredentials => new()
    {
        { "basic", WebhookAuthentication.Basic("acme", "pa55-w0rd-echo"), ["pa55-w0rd-echo", Convert.ToBase64String(Encoding.UTF8.GetBytes("acme:pa55-w0rd-echo"))] },
        { "bearer", WebhookAuthentication.Bearer("tok-echo-123"), ["tok-echo-123"] },
        { "header", WebhookAuthentication.Header("X-Api-Key", "key-echo-456"), ["key-echo-456"] },
    };

    [Theory]
    [MemberData(nameof(EchoedCredentials))]
    public async Task Credentials_a_receiver_echoes_back_are_scrubbed_from_the_stored_attempt_and_the_notifications(
        string scheme, WebhookAuthentication authentication, string[] credentials)
    {
        await using var receiver = await EchoReceiver.StartAsync();
        // '+' and '/' in the secret: the check below must see them as they are, not JSON-escaped.
        string secret = "whsec_" + Convert.ToBase64String([.. Enumerable.Repeat((byte)0xFB, 32)]);
        receiver.Extra = $"my config: secret={secret}\n";
        await using var host = await TestHost.StartAsync(o =>
        {
            o.RetrySchedule = [TimeSpan.Zero];
            o.RedactedHeaders.Add("X-Partner-Token");
        });
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/echo"),
            Secret = secret,
            Authentication = authentication,
            Headers = new Dictionary<string, string> { ["X-Partner-Token"] = PartnerToken, ["X-Route"] = "eu-1" },
        });

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(created.Subscription.Id), a => a.Count == 2, $"{scheme}: two failed attempts");
        var exhausted = await Eventually.WaitForAsync(() => Task.FromResult(host.Notifications.Exhausted.ToList()), n => n.Count == 1, "the exhausted notification");
        var failed = host.Notifications.AttemptsFailed.ToList();
        Assert.Equal(2, failed.Count);
        string[] secrets = [.. credentials, PartnerToken, secret, secret["whsec_".Length..]];
        string stored = Unescaped(attempts);
        string notifications = Unescaped(failed) + Unescaped(exhausted);
        Assert.Contains(secret, Unescaped(secret));
        Assert.All(secrets, s =>
        {
            Assert.DoesNotContain(s, stored);
            Assert.DoesNotContain(s, notifications);
        });

        // The echo itself is kept, with the credentials replaced, and what is no credential stays readable.
        var response = attempts[0].Response!;
        Assert.Contains("[redacted]", response.Body);
        Assert.Contains("X-Route: eu-1", response.Body);
        Assert.Equal("eu-1", response.Headers["X-Echo-X-Route"]);
        Assert.Contains("[redacted]", response.Headers["X-Echo-X-Partner-Token"]);
        Assert.Contains("my config: secret=[redacted]", response.Body);
    }

    /// <summary>JSON with only what must be escaped escaped, so a credential with '+' or '/' would be found in it.</summary>
    private static string Unescaped<T>(T value) =>
        JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
