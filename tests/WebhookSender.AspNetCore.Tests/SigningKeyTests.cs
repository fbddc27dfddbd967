using System.Net;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>v1a (Ed25519) through the HTTP API: asked for, its public keys read back for receivers, rotated (issue 24).</summary>
public sealed class SigningKeyTests
{
    [Fact]
    public async Task A_v1a_subscription_shows_its_public_keys_rotates_them_and_never_shows_the_private_one()
    {
        await using var host = await ApiHost.StartAsync();
        var created = await host.CreateAsync("acme", new { url = host.Receiver.UrlFor("/hooks"), signatures = new[] { "v1", "v1a" } });
        var subscription = created["subscription"]!;
        string id = (string)subscription["id"]!;
        Assert.Equal("""["v1","v1a"]""", subscription["signatures"]!.ToJsonString());
        string first = (string)subscription["publicKeys"]![0]!["publicKey"]!;
        Assert.StartsWith("whpk_", first, StringComparison.Ordinal);

        var rotated = await FlowTests.SendAsync(host, HttpMethod.Post, $"/{id}/rotate-signing-key", """{"overlapSeconds":3600}""");
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        string second = (string)(await ApiHost.JsonAsync(rotated))["publicKey"]!;
        Assert.NotEqual(first, second);

        var read = await ApiHost.JsonAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}")));
        var keys = read["publicKeys"]!.AsArray();
        Assert.Equal([second, first], keys.Select(k => (string)k!["publicKey"]!));
        Assert.Null((string?)keys[0]!["expiresAt"]);
        Assert.NotNull((string?)keys[1]!["expiresAt"]);
        Assert.DoesNotContain("whsk_", read.ToJsonString(), StringComparison.Ordinal);

        // Requests carry both signatures: one v1, and a v1a per live key.
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new OrderCreated("ord_1", 1, 5m, [])) { TenantId = "acme" });
        var received = await host.Receiver.WaitForAsync(all => all.Any(r => r.BodyText.Contains("ord_1", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        string signature = received.Last(r => r.BodyText.Contains("ord_1", StringComparison.Ordinal)).Headers["webhook-signature"];
        Assert.Matches("^v1,[^ ]+ v1a,[^ ]+ v1a,[^ ]+$", signature);
    }

    [Theory]
    [InlineData("""{"signatures":["v2"]}""")]
    [InlineData("""{"signatures":[]}""")]
    public async Task Unknown_or_no_signature_schemes_answer_400_naming_signatures(string input)
    {
        await using var host = await ApiHost.StartAsync();
        string body = input.Insert(1, $"\"url\":\"{host.Receiver.UrlFor("/hooks")}\",");

        var response = await FlowTests.SendAsync(host, HttpMethod.Post, "", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ApiHost.JsonAsync(response))["errors"]!.AsObject().ContainsKey("signatures"));
    }
}
