using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Subscriptions;

public class SubscriptionValidationTests
{
    private static readonly Uri Good = new("https://example.com/hooks");

    public static TheoryData<string, WebhookSubscriptionRequest, string, string> BadRequests => new()
    {
        { "pull with static headers", new() { Url = null, Headers = new Dictionary<string, string> { ["X-Route"] = "a" } }, "Headers", "A pull subscription (no URL) is read, not sent to" },
        { "relative URL", new() { Url = new Uri("/hooks", UriKind.Relative) }, "Url", "is relative" },
        { "ftp scheme", new() { Url = new Uri("ftp://example.com/hooks") }, "Url", "scheme 'ftp' is not supported" },
        { "file scheme", new() { Url = new Uri("file:///etc/passwd") }, "Url", "scheme 'file' is not supported" },
        { "credentials in URL", new() { Url = new Uri("https://user:pa55@example.com/hooks") }, "Url", "contains credentials" },
        { "fragment", new() { Url = new Uri("https://example.com/hooks#part") }, "Url", "fragment" },
        { "URL too long", new() { Url = new Uri("https://example.com/" + new string('a', 2100)) }, "Url", "at most 2048" },
        { "name too long", new() { Url = Good, Name = new string('n', 101) }, "Name", "at most 100" },
        { "name with line break", new() { Url = Good, Name = "a\nb" }, "Name", "control characters" },
        { "description too long", new() { Url = Good, Description = new string('d', 1001) }, "Description", "at most 1000" },
        { "blank tenant", new() { Url = Good, TenantId = "  " }, "TenantId", "non-blank" },
        { "unknown event type", new() { Url = Good, EventTypes = ["order.deleted"] }, "EventTypes", "Unknown event types: order.deleted. Registered types: order.created, order.updated" },
        { "empty event type", new() { Url = Good, EventTypes = [""] }, "EventTypes", "An event type is empty" },
        { "wildcard mixed with types", new() { Url = Good, EventTypes = ["*", "order.created"] }, "EventTypes", "'*' alone" },
        { "duplicate event types", new() { Url = Good, EventTypes = ["order.created", "order.created"] }, "EventTypes", "more than once" },
        { "ping is not subscribable", new() { Url = Good, EventTypes = ["webhook.ping"] }, "EventTypes", "Unknown event types: webhook.ping" },
        { "secret without prefix", new() { Url = Good, Secret = "QWZTFnMEXhqZKNmu" }, "Secret", "must start with 'whsec_'" },
        { "secret not base64", new() { Url = Good, Secret = "whsec_not*base64!" }, "Secret", "not valid base64" },
        { "secret too short", new() { Url = Good, Secret = "whsec_" + Convert.ToBase64String(new byte[8]) }, "Secret", "decodes to 8 bytes" },
        { "undefined method", new() { Url = Good, Method = (WebhookHttpMethod)7 }, "Method", "use Post or Put" },
        { "unknown format", new() { Url = Good, Format = "yaml" }, "Format", "'yaml' is not registered" },
        { "negative retry delay", new() { Url = Good, RetrySchedule = [TimeSpan.FromSeconds(-1)] }, "RetrySchedule", "between 0 and 7 days" },
        { "too many retries", new() { Url = Good, RetrySchedule = [.. Enumerable.Repeat(TimeSpan.FromMinutes(1), 51)] }, "RetrySchedule", "at most 50" },

        // Issue 19: accepted before, then every attempt failed (or a log line was forged).
        { "port 0", new() { Url = new Uri("https://example.com:0/hooks") }, "Url", "port 0" },
        { "non-ASCII header value", new() { Url = Good, Headers = new Dictionary<string, string> { ["X-Route"] = "café" } }, "Headers", "printable ASCII" },
        { "non-ASCII bearer token", new() { Url = Good, Authentication = WebhookAuthentication.Bearer("tök€n") }, "Authentication", "printable ASCII" },
        { "non-ASCII key header", new() { Url = Good, Authentication = WebhookAuthentication.Header("X-Api-Key", "schlüssel") }, "Authentication", "printable ASCII" },
        { "tenant with line break", new() { Url = Good, TenantId = "acme\r\nforged" }, "TenantId", "control characters" },
        { "tenant with escape", new() { Url = Good, TenantId = "acme\u001b[2J" }, "TenantId", "control characters" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(string kind, WebhookSubscriptionRequest request, string field, string expected)
    {
        await using var host = await TestHost.StartAsync();

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(request));

        Assert.True(error.Errors.ContainsKey(field), $"{kind}: expected an error on {field}, got {error.Message}");
        Assert.Contains(expected, string.Join(" ", error.Errors[field]));
        Assert.Contains(expected, error.Message);
        var stored = await host.Subscriptions.ListAsync();
        Assert.Empty(stored.Items);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        await using var host = await TestHost.StartAsync();

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(new()
        {
            Url = new Uri("ftp://example.com"),
            Name = new string('n', 101),
            Secret = "nope",
        }));

        Assert.Equal(["Name", "Secret", "Url"], error.Errors.Keys.Order());
    }

    [Fact]
    public async Task A_secret_in_a_refused_request_never_appears_in_the_error()
    {
        await using var host = await TestHost.StartAsync();
        string secret = "whsec_" + Convert.ToBase64String(new byte[10]);

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(new() { Url = new Uri("https://u:topsecret@example.com"), Secret = secret }));

        Assert.DoesNotContain("topsecret", error.Message);
        Assert.DoesNotContain(secret, error.Message);
    }

    [Fact]
    public async Task A_valid_subscription_is_stored_with_a_generated_secret_returned_once()
    {
        await using var host = await TestHost.StartAsync();

        var created = await host.Subscriptions.CreateAsync(new() { Url = Good, Name = "Orders", EventTypes = ["order.created"] });

        Assert.StartsWith("sub_", created.Subscription.Id);
        Assert.NotNull(WebhookSecret.TryDecode(created.Secret, out _));
        Assert.Equal(created.Secret, await host.Subscriptions.GetSecretAsync(created.Subscription.Id));
        var read = await host.Subscriptions.GetAsync(created.Subscription.Id);
        Assert.NotNull(read);
        Assert.Equal("whsec_********", Assert.Single(read.Secrets).Value);
        Assert.Equal(["order.created"], read.EventTypes);
    }

    [Fact]
    public async Task Update_validates_and_keeps_the_tenant()
    {
        await using var host = await TestHost.StartAsync();
        var created = await host.Subscriptions.CreateAsync(new() { Url = Good, TenantId = "t1" });

        await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.UpdateAsync(created.Subscription.Id, new() { Url = Good, TenantId = "t2" }));
        await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.UpdateAsync(created.Subscription.Id, new() { Url = null, TenantId = "t1", Authentication = WebhookAuthentication.Bearer("t0ken") }));
        var updated = await host.Subscriptions.UpdateAsync(created.Subscription.Id, new() { Url = new Uri("https://example.org/new"), TenantId = "t1", Name = "renamed" });

        Assert.Equal("renamed", updated.Name);
        Assert.Equal(new Uri("https://example.org/new"), (await host.Subscriptions.GetAsync(created.Subscription.Id))!.Url);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => host.Subscriptions.UpdateAsync("sub_missing", new() { Url = Good }));
    }

    [Fact]
    public async Task Rotation_keeps_the_old_secret_live_for_the_overlap()
    {
        await using var host = await TestHost.StartAsync();
        var created = await host.Subscriptions.CreateAsync(new() { Url = Good });

        string next = await host.Subscriptions.RotateSecretAsync(created.Subscription.Id, overlap: TimeSpan.FromHours(1));

        var stored = (await host.Store.GetSubscriptionAsync(created.Subscription.Id, default))!;
        Assert.Equal(2, stored.Secrets.Count);
        Assert.Equal(next, stored.Secrets[0].Value);
        Assert.Null(stored.Secrets[0].ExpiresAt);
        Assert.Equal(created.Secret, stored.Secrets[1].Value);
        Assert.NotNull(stored.Secrets[1].ExpiresAt);
        Assert.Equal(next, await host.Subscriptions.GetSecretAsync(created.Subscription.Id));
    }
}
