using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Receivers;

/// <summary>Filters, expiry, per-tenant limits, PUT, payload modes and field mapping, against a real receiver.</summary>
public class SubscriptionOptionsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Attribute_filters_restrict_deliveries_on_top_of_event_types()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/campaigns"),
            Filters = new Dictionary<string, IReadOnlyList<string>> { ["campaign"] = ["12", "15"], ["region"] = ["eu"] },
        });
        await host.SubscribeAsync(receiver.UrlFor("/everything"));

        var results = new List<PublishResult>();
        foreach (var (campaign, region) in new[] { ("12", "eu"), ("13", "eu"), ("15", "us"), ("15", "eu"), (null, "eu") })
        {
            var attributes = new Dictionary<string, string> { ["region"] = region };
            if (campaign is not null)
            {
                attributes["campaign"] = campaign;
            }

            results.Add(await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { campaign }) { Attributes = attributes }));
        }

        Assert.Equal([2, 1, 1, 2, 1], results.Select(r => r.DeliveryCount));
        await receiver.WaitForCountAsync("/everything", 5, Wait);
        var matched = await receiver.WaitForCountAsync("/campaigns", 2, Wait);
        Assert.Equal(new[] { results[0].MessageId, results[3].MessageId }.Order(), matched.Select(r => r.WebhookId!).Order());
    }

    [Fact]
    public async Task An_expired_subscription_receives_nothing()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        await using var host = await TestHost.StartAsync(time: time, primaryHandler: new RichardSzalay.MockHttp.MockHttpMessageHandler());
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = new Uri("https://r.example/x"), ExpiresAt = time.GetUtcNow().AddDays(30) });

        var before = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        time.Advance(TimeSpan.FromDays(31));
        var after = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }));

        Assert.Equal(1, before.DeliveryCount);
        Assert.Equal(0, after.DeliveryCount);
        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.UpdateAsync(created.Subscription.Id, new() { Url = new Uri("https://r.example/x"), ExpiresAt = time.GetUtcNow().AddDays(-1) }));
        Assert.Contains("in the past", error.Message);
    }

    [Fact]
    public async Task The_per_tenant_limit_refuses_one_more_with_a_clear_error()
    {
        await using var host = await TestHost.StartAsync(o => o.MaxSubscriptionsPerTenant = 2);
        await host.SubscribeAsync(new Uri("https://a.example/1"), tenantId: "acme");
        await host.SubscribeAsync(new Uri("https://a.example/2"), tenantId: "acme");
        await host.SubscribeAsync(new Uri("https://b.example/1"), tenantId: "globex");

        var error = await Assert.ThrowsAsync<WebhookCapacityExceededException>(() => host.SubscribeAsync(new Uri("https://a.example/3"), tenantId: "acme"));

        Assert.Contains("Tenant 'acme' already has 2 webhook subscriptions", error.Message);
        Assert.Contains("MaxSubscriptionsPerTenant", error.Message);
        Assert.Equal(2, (await host.Subscriptions.ListAsync(new SubscriptionQuery { TenantId = "acme" })).Items.Count);
    }

    [Fact]
    public async Task Put_data_only_and_mapped_payloads_reach_the_receiver_as_configured()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        string secret = WebhookSecret.Generate();
        foreach (var path in new[] { "/put", "/data", "/mapped" })
        {
            receiver.UseSecret(path, secret);
        }

        await host.Subscriptions.CreateAsync(new() { Url = receiver.UrlFor("/put"), Method = WebhookHttpMethod.Put, Secret = secret });
        await host.Subscriptions.CreateAsync(new() { Url = receiver.UrlFor("/data"), PayloadMode = WebhookPayloadMode.Data, Secret = secret });
        var mapped = await host.Subscriptions.CreateAsync(new()
        {
            Url = receiver.UrlFor("/mapped"),
            Secret = secret,
            PayloadMode = WebhookPayloadMode.Mapped,
            FieldMap = new Dictionary<string, WebhookFieldSource>
            {
                ["invoice_id"] = WebhookFieldSource.FromPath("data.order.id"),
                ["first_sku"] = WebhookFieldSource.FromPath("data.items.0.sku"),
                ["event"] = WebhookFieldSource.FromPath("type"),
                ["account"] = WebhookFieldSource.FromConstant("ACME-7"),
                ["discount"] = WebhookFieldSource.FromPath("data.order.discount"),
            },
        });

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { order = new { id = 42, total = 9.5 }, items = new[] { new { sku = "A-1" } } }));

        var put = (await receiver.WaitForCountAsync("/put", 1, Wait)).Single();
        Assert.Equal("PUT", put.Method);
        Assert.True(put.SignatureValid);

        var data = (await receiver.WaitForCountAsync("/data", 1, Wait)).Single();
        using (var json = JsonDocument.Parse(data.Body))
        {
            Assert.Equal(42, json.RootElement.GetProperty("order").GetProperty("id").GetInt32());
            Assert.False(json.RootElement.TryGetProperty("id", out _));
        }

        Assert.Equal(published.MessageId, data.WebhookId);
        Assert.Equal("order.created", data.Headers["webhook-event-type"]);
        Assert.True(data.SignatureValid);

        var body = (await receiver.WaitForCountAsync("/mapped", 1, Wait)).Single();
        Assert.True(body.SignatureValid);
        using (var json = JsonDocument.Parse(body.Body))
        {
            var root = json.RootElement;
            Assert.Equal(["account", "discount", "event", "first_sku", "invoice_id"], root.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(42, root.GetProperty("invoice_id").GetInt32());
            Assert.Equal("A-1", root.GetProperty("first_sku").GetString());
            Assert.Equal("order.created", root.GetProperty("event").GetString());
            Assert.Equal("ACME-7", root.GetProperty("account").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("discount").ValueKind);
        }

        var attempt = (await Eventually.WaitForAsync(() => host.AttemptsAsync(mapped.Subscription.Id), a => a.Count == 1, "the mapped attempt")).Single();
        Assert.True(attempt.Succeeded);
        Assert.Contains("Field 'discount': the event has nothing at 'data.order.discount'", Assert.Single(attempt.Warnings));
    }

    [Theory]
    [InlineData("mapped without map", "needs a field map")]
    [InlineData("map without mode", "only applies with PayloadMode = Mapped")]
    [InlineData("constant and path", "either a path")]
    [InlineData("bad path", "is not valid")]
    [InlineData("filter without values", "needs 1 to 100 values")]
    [InlineData("batch as json", "Format = \"jsonarray\"")]
    [InlineData("batch window too short", "1 second to 24 hours")]
    [InlineData("expired", "in the past")]
    public async Task Bad_payload_filter_batch_and_expiry_settings_are_refused(string kind, string expected)
    {
        await using var host = await TestHost.StartAsync();
        var url = new Uri("https://x.example/hook");
        WebhookSubscriptionRequest request = kind switch
        {
            "mapped without map" => new() { Url = url, PayloadMode = WebhookPayloadMode.Mapped },
            "map without mode" => new() { Url = url, FieldMap = new Dictionary<string, WebhookFieldSource> { ["a"] = WebhookFieldSource.FromPath("id") } },
            "constant and path" => new() { Url = url, PayloadMode = WebhookPayloadMode.Mapped, FieldMap = new Dictionary<string, WebhookFieldSource> { ["a"] = new() { Path = "id", Constant = "x" } } },
            "bad path" => new() { Url = url, PayloadMode = WebhookPayloadMode.Mapped, FieldMap = new Dictionary<string, WebhookFieldSource> { ["a"] = WebhookFieldSource.FromPath("data..id") } },
            "filter without values" => new() { Url = url, Filters = new Dictionary<string, IReadOnlyList<string>> { ["campaign"] = [] } },
            "batch as json" => new() { Url = url, Batching = new() { Window = TimeSpan.FromMinutes(5) } },
            "batch window too short" => new() { Url = url, Format = WebhookFormats.JsonArray, Batching = new() { Window = TimeSpan.FromMilliseconds(10) } },
            _ => new() { Url = url, ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) },
        };

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(request));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{kind}: {error.Message}");
        Assert.Empty((await host.Subscriptions.ListAsync()).Items);
    }
}
