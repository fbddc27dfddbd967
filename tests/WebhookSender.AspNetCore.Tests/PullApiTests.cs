using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>Pull subscriptions through the HTTP API: <c>GET …/{id}/updates?cursor=&amp;limit=&amp;wait=</c> (issue 25).</summary>
public sealed class PullApiTests
{
    [Fact]
    public async Task A_subscription_created_without_a_url_is_read_page_by_page_with_its_cursor()
    {
        await using var host = await ApiHost.StartAsync();
        var created = await host.CreateAsync("acme", new { eventTypes = new[] { "order.created" } });
        var subscription = created["subscription"]!;
        Assert.Null(subscription["url"]?.GetValue<string>());
        string id = (string)subscription["id"]!;
        var published = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated($"ord_{i}", i, 1m, [])) { TenantId = "acme" })).MessageId);
        }

        // The ping made on create comes first: the reader sees the subscription works.
        var first = await ReadAsync(host, id, "?limit=2");
        var items = first["items"]!.AsArray();
        Assert.Equal(["webhook.ping", "order.created"], items.Select(i => (string)i!["type"]!));
        Assert.True((bool)first["hasMore"]!);
        Assert.Equal(published[0], (string)items[1]!["id"]!);
        Assert.Equal("ord_0", JsonNode.Parse((string)items[1]!["body"]!)!["data"]!["orderId"]!.GetValue<string>());
        Assert.StartsWith("application/json", (string)items[1]!["contentType"]!, StringComparison.Ordinal);

        var second = await ReadAsync(host, id, $"?cursor={Uri.EscapeDataString((string)first["cursor"]!)}&limit=10");
        Assert.Equal(published[1..], second["items"]!.AsArray().Select(i => (string)i!["id"]!));
        Assert.False((bool)second["hasMore"]!);

        var backlog = JsonNode.Parse(await host.Client.GetStringAsync(ApiHost.Path("acme", $"/{id}/updates/backlog")))!;
        Assert.Equal(2, (int)backlog["unread"]!);

        // The log shows what the reader took, as pull attempts.
        var attempts = JsonNode.Parse(await host.Client.GetStringAsync(ApiHost.Path("acme", $"/{id}/attempts")))!["items"]!.AsArray();
        Assert.Equal(4, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("pull", (string)a!["trigger"]!));
        var unread = JsonNode.Parse(await host.Client.GetStringAsync(ApiHost.Path("acme", $"/{id}/deliveries?status=unread")))!["items"]!.AsArray();
        Assert.Equal(published[1..].Order(), unread.Select(d => (string)d!["messageId"]!).Order());
    }

    [Fact]
    public async Task A_long_poll_waits_for_the_next_message()
    {
        await using var host = await ApiHost.StartAsync();
        string id = (string)(await host.CreateAsync("acme", new { eventTypes = new[] { "order.created" } }))["subscription"]!["id"]!;
        var ping = await ReadAsync(host, id, "");
        string cursor = Uri.EscapeDataString((string)ping["cursor"]!);

        var waiting = host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/updates?cursor={cursor}&wait=30"));
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated("ord_9", 1, 1m, [])) { TenantId = "acme" });

        using var response = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal([published.MessageId], page["items"]!.AsArray().Select(i => (string)i!["id"]!));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?wait=61", "wait")]
    [InlineData("?cursor=wpc_bm9wZQ", "cursor")]
    public async Task Bad_read_parameters_answer_400_naming_them(string query, string field)
    {
        await using var host = await ApiHost.StartAsync();
        string id = (string)(await host.CreateAsync("acme", new { eventTypes = new[] { "order.created" } }))["subscription"]!["id"]!;

        using var response = await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/updates{query}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await ApiHost.JsonAsync(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), errors.ToJsonString());
    }

    [Fact]
    public async Task Another_tenants_cursor_and_subscription_are_refused_and_a_push_subscription_has_no_updates()
    {
        await using var host = await ApiHost.StartAsync();
        string mine = (string)(await host.CreateAsync("acme", new { eventTypes = new[] { "order.created" } }))["subscription"]!["id"]!;
        string theirs = (string)(await host.CreateAsync("globex", new { eventTypes = new[] { "order.created" } }))["subscription"]!["id"]!;
        var theirPage = JsonNode.Parse(await host.Client.GetStringAsync(ApiHost.Path("globex", $"/{theirs}/updates")))!;

        using var foreignCursor = await host.Client.GetAsync(ApiHost.Path("acme", $"/{mine}/updates?cursor={Uri.EscapeDataString((string)theirPage["cursor"]!)}"));
        Assert.Equal(HttpStatusCode.BadRequest, foreignCursor.StatusCode);
        Assert.Contains("belongs to another subscription", (string)(await ApiHost.JsonAsync(foreignCursor))["errors"]!["cursor"]![0]!, StringComparison.Ordinal);

        using var foreignSubscription = await host.Client.GetAsync(ApiHost.Path("acme", $"/{theirs}/updates"));
        Assert.Equal(HttpStatusCode.NotFound, foreignSubscription.StatusCode);

        string push = await host.CreateIdAsync("acme");
        using var notPull = await host.Client.GetAsync(ApiHost.Path("acme", $"/{push}/updates"));
        Assert.Equal(HttpStatusCode.BadRequest, notPull.StatusCode);
        Assert.Contains("has a URL", (string)(await ApiHost.JsonAsync(notPull))["errors"]!["url"]![0]!, StringComparison.Ordinal);
    }

    private static async Task<JsonNode> ReadAsync(ApiHost host, string id, string query)
    {
        using var response = await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/updates{query}"));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"read answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}
