using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>The whole flow a customer goes through, over real sockets: create, test, publish, read the log, redeliver.</summary>
public sealed class FlowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Create_test_publish_read_the_log_and_redeliver()
    {
        await using var host = await ApiHost.StartAsync();

        // Create: the secret is shown once, and the new endpoint gets a ping.
        var created = await host.CreateAsync("acme", new { url = host.Receiver.UrlFor("/orders"), eventTypes = new[] { "order.created" }, name = "Orders" });
        string id = (string)created["subscription"]!["id"]!;
        Assert.StartsWith("whsec_", (string)created["secret"]!, StringComparison.Ordinal);
        Assert.Equal("Orders", (string?)created["subscription"]!["name"]);
        await host.Receiver.WaitForCountAsync("/orders", 1, Wait);

        // Test: one example per type the subscription receives, reported in the documented shape.
        var test = await host.Client.PostAsync(ApiHost.Path("acme", $"/{id}/test"), null);
        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        var report = await ApiHost.JsonAsync(test);
        Assert.Equal(1, (int)report["testsRun"]!);
        Assert.Equal(1, (int)report["testsSucceeded"]!);
        Assert.Equal(0, (int)report["testsFailed"]!);
        Assert.NotNull((string?)report["startedAt"]);
        Assert.Equal("order.created", (string?)report["tests"]![0]!["eventType"]);
        Assert.Equal(200, (int)report["tests"]![0]!["statusCode"]!);

        // Publish: the app's own event reaches the receiver.
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated("ord_9", 1, 5m, [])) { TenantId = "acme" });
        var received = await host.Receiver.WaitForAsync(all => all.Any(r => r.WebhookId == published.MessageId), Wait);
        Assert.Equal("/orders", received.Single(r => r.WebhookId == published.MessageId).Path);

        // The log: the delivery succeeded, its attempt shows the request and the response.
        // The outcome is stored just after the receiver answered: ask until it shows.
        JsonNode? delivery = null;
        for (var deadline = DateTime.UtcNow + Wait; delivery is null && DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            var deliveries = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/deliveries?status=succeeded")));
            delivery = deliveries["items"]!.AsArray().SingleOrDefault(d => (string?)d!["messageId"] == published.MessageId);
        }

        Assert.True(delivery is not null, "the delivery never showed as succeeded");
        Assert.Equal(1, (int)delivery["attemptCount"]!);
        var attempts = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/attempts?messageId={published.MessageId}")));
        var summary = attempts["items"]!.AsArray().Single()!;
        Assert.Equal("succeeded", (string?)summary["status"]);
        var detail = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/attempts/{summary["id"]}")));
        Assert.Equal("POST", (string?)detail["request"]!["method"]);
        Assert.Contains("ord_9", (string)detail["request"]!["body"]!, StringComparison.Ordinal);
        Assert.Equal(published.MessageId, (string?)detail["request"]!["headers"]!["webhook-id"]);
        Assert.Equal(200, (int)detail["response"]!["statusCode"]!);

        // Redeliver: the same message again, under the same webhook-id.
        var redeliver = await host.Client.PostAsync(ApiHost.Path("acme", $"/{id}/messages/{published.MessageId}/redeliver"), null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        Assert.Equal("manual", (string?)(await ApiHost.JsonAsync(redeliver))["trigger"]);
        await host.Receiver.WaitForAsync(all => all.Count(r => r.WebhookId == published.MessageId) == 2, Wait);
    }

    [Fact]
    public async Task Update_by_merge_patch_and_replace_then_disable_enable_rotate_and_delete()
    {
        await using var host = await ApiHost.StartAsync();
        var created = await host.CreateAsync("acme", new
        {
            url = host.Receiver.UrlFor("/a"),
            eventTypes = new[] { "order.created" },
            name = "First",
            description = "kept",
            authentication = new { scheme = "bearer", secret = "token-123" },
        });
        string id = (string)created["subscription"]!["id"]!;
        Assert.Equal("********", (string?)created["subscription"]!["authentication"]!["secret"]);

        // PATCH changes what it names, clears what it nulls, keeps the rest (the redacted token too).
        var patched = await SendAsync(host, HttpMethod.Patch, $"/{id}", """{"name":"Second","description":null,"eventTypes":["order.created","order.shipped"]}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var body = await ApiHost.JsonAsync(patched);
        Assert.Equal("Second", (string?)body["name"]);
        Assert.Null(body["description"]);
        Assert.Equal(["order.created", "order.shipped"], body["eventTypes"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(host.Receiver.UrlFor("/a").ToString(), (string?)body["url"]);
        var stored = await host.Services.GetRequiredService<IWebhookSubscriptions>().GetAsync(id);
        Assert.Equal("bearer", ((string?)body["authentication"]!["scheme"]));
        Assert.Equal(WebhookAuthenticationScheme.Bearer, stored!.Authentication!.Scheme);

        // PUT replaces: what is left out takes its default.
        var replaced = await host.Client.PutAsJsonAsync(ApiHost.Path("acme", $"/{id}"), new { url = host.Receiver.UrlFor("/b") });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var replacedBody = await ApiHost.JsonAsync(replaced);
        Assert.Null(replacedBody["name"]);
        Assert.Null(replacedBody["authentication"]);
        Assert.Empty(replacedBody["eventTypes"]!.AsArray());

        var disabled = await SendAsync(host, HttpMethod.Post, $"/{id}/disable", """{"reason":"maintenance"}""");
        Assert.Equal(("maintenance", false), ((string?)(await ApiHost.JsonAsync(disabled))["disabledReason"], (bool)(await ApiHost.JsonAsync(disabled))["isActive"]!));
        var enabled = await host.Client.PostAsync(ApiHost.Path("acme", $"/{id}/enable"), null);
        Assert.True((bool)(await ApiHost.JsonAsync(enabled))["isActive"]!);

        var rotated = await SendAsync(host, HttpMethod.Post, $"/{id}/rotate-secret", """{"overlapSeconds":3600}""");
        string secret = (string)(await ApiHost.JsonAsync(rotated))["secret"]!;
        Assert.NotEqual((string)created["secret"]!, secret);
        Assert.Equal(secret, (string?)(await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/secret"))))["secret"]);
        Assert.Equal(2, (int)(await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}"))))["liveSecrets"]!);

        var deleted = await host.Client.DeleteAsync(ApiHost.Path("acme", $"/{id}"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}"))).StatusCode);
    }

    [Fact]
    public async Task Lists_page_with_a_cursor_and_filter_by_event_type_and_active()
    {
        await using var host = await ApiHost.StartAsync();
        string a = await host.CreateIdAsync("acme", "/1", ["order.created"]);
        string b = await host.CreateIdAsync("acme", "/2", ["order.shipped"]);
        string c = await host.CreateIdAsync("acme", "/3", ["*"]);
        await host.Client.PostAsync(ApiHost.Path("acme", $"/{c}/disable"), null);

        // Lists are in id order. Ids made in the same millisecond order by their random bits, not by creation (a CI run
        // created b and c in one millisecond), so the expected order is the ids' own.
        string[] byId = [.. new[] { a, b, c }.Order(StringComparer.Ordinal)];
        var first = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", "?limit=2")));
        var second = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"?limit=2&cursor={first["nextCursor"]}")));
        Assert.Equal(byId[..2], first["items"]!.AsArray().Select(s => (string)s!["id"]!));
        Assert.Equal(byId[2..], second["items"]!.AsArray().Select(s => (string)s!["id"]!));
        Assert.Null(second["nextCursor"]);

        var created = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", "?eventType=order.created")));
        Assert.Equal(new[] { a, c }.Order(StringComparer.Ordinal), created["items"]!.AsArray().Select(s => (string)s!["id"]!));
        var active = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", "?eventType=order.created&active=true")));
        Assert.Equal([a], active["items"]!.AsArray().Select(s => (string)s!["id"]!));
    }

    internal static Task<HttpResponseMessage> SendAsync(ApiHost host, HttpMethod method, string rest, string json, string workspace = "acme") =>
        host.Client.SendAsync(new HttpRequestMessage(method, ApiHost.Path(workspace, rest)) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") });
}
