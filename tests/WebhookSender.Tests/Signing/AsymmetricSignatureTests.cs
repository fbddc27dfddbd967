using System.Diagnostics;
using System.Text.Json;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Signing;

/// <summary>
/// Standard Webhooks v1a (Ed25519) signatures, checked by an independent implementation: Python's cryptography
/// (OpenSSL), run on the requests a Kestrel receiver on 127.0.0.1 got (issue 24, item 4).
/// </summary>
public class AsymmetricSignatureTests
{
    [Fact]
    public async Task Requests_carry_v1_and_v1a_signatures_that_the_secret_and_the_public_key_verify()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/both"),
            Signatures = WebhookSignatures.V1 | WebhookSignatures.V1a,
        });
        string publicKey = Assert.Single(created.Subscription.SigningKeys).PublicKey;
        Assert.StartsWith("whpk_", publicKey, StringComparison.Ordinal);

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 7 }));
        var request = Assert.Single(await receiver.WaitForCountAsync("/both", 1, TimeSpan.FromSeconds(10)));

        string signature = request.Headers["webhook-signature"];
        Assert.Matches("^v1,[^ ]+ v1a,[^ ]+$", signature);
        new StandardWebhookVerifier(created.Secret).Verify(request.Headers, request.Body);
        Assert.Equal(1, VerifyWithPython(request, [publicKey]));

        // The check can fail: a body changed by one byte does not verify.
        var tampered = (byte[])request.Body.Clone();
        tampered[^2] ^= 1;
        Assert.Equal(0, VerifyWithPython(request, [publicKey], tampered));
    }

    [Fact]
    public async Task A_v1a_only_subscription_sends_no_hmac_and_a_rotated_key_signs_beside_the_new_one_for_the_overlap()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.UrlFor("/v1a"), Signatures = WebhookSignatures.V1a });
        string oldKey = Assert.Single(created.Subscription.SigningKeys).PublicKey;

        string newKey = await host.Subscriptions.RotateSigningKeyAsync(created.Subscription.Id, TimeSpan.FromHours(1));
        Assert.NotEqual(oldKey, newKey);
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 8 }));
        var request = Assert.Single(await receiver.WaitForCountAsync("/v1a", 1, TimeSpan.FromSeconds(10)));

        Assert.Matches("^v1a,[^ ]+ v1a,[^ ]+$", request.Headers["webhook-signature"]);
        Assert.Equal(1, VerifyWithPython(request, [newKey]));
        Assert.Equal(1, VerifyWithPython(request, [oldKey]));

        // The read API shows both public keys and neither private key.
        var read = (await host.Subscriptions.GetAsync(created.Subscription.Id))!;
        Assert.Equal([newKey, oldKey], read.SigningKeys.Select(k => k.PublicKey));
        Assert.All(read.SigningKeys, k => Assert.Equal("whsk_********", k.PrivateKey));
    }

    [Fact]
    public async Task The_private_key_is_redacted_from_read_apis_tostring_and_notifications()
    {
        await using var host = await TestHost.StartAsync();
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = new Uri("https://receiver.example/hooks"), Signatures = WebhookSignatures.V1a });
        var stored = (await host.Store.GetSubscriptionAsync(created.Subscription.Id, default))!;
        string privateKey = Assert.Single(stored.SigningKeys).PrivateKey;
        Assert.StartsWith("whsk_", privateKey, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(privateKey["whsk_".Length..]).Length);

        Assert.DoesNotContain(privateKey, stored.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(privateKey, created.Subscription.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(privateKey, JsonSerializer.Serialize(created.Subscription), StringComparison.Ordinal);
        Assert.DoesNotContain(privateKey, JsonSerializer.Serialize((await host.Subscriptions.ListAsync()).Items), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switching_v1a_on_by_update_makes_a_key_once_and_keeps_it()
    {
        await using var host = await TestHost.StartAsync();
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = new Uri("https://receiver.example/hooks") });
        Assert.Empty(created.Subscription.SigningKeys);

        var request = new WebhookSubscriptionRequest { Url = new Uri("https://receiver.example/hooks"), Signatures = WebhookSignatures.V1 | WebhookSignatures.V1a };
        var first = await host.Subscriptions.UpdateAsync(created.Subscription.Id, request);
        var second = await host.Subscriptions.UpdateAsync(created.Subscription.Id, request with { Name = "renamed" });

        Assert.Equal(Assert.Single(first.SigningKeys).PublicKey, Assert.Single(second.SigningKeys).PublicKey);
        await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.UpdateAsync(created.Subscription.Id, request with { Signatures = 0 }));
    }

    /// <summary>How many v1a signatures of the request verify with Python's cryptography against <paramref name="publicKeys"/>.</summary>
    private static int VerifyWithPython(ReceivedWebhook request, string[] publicKeys, byte[]? body = null)
    {
        var start = new ProcessStartInfo("python3", Path.Combine(AppContext.BaseDirectory, "Signing", "verify_v1a.py"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(start)!;
        python.StandardInput.Write(JsonSerializer.Serialize(new
        {
            publicKeys,
            id = request.Headers["webhook-id"],
            timestamp = request.Headers["webhook-timestamp"],
            body = Convert.ToBase64String(body ?? request.Body),
            signature = request.Headers["webhook-signature"],
        }));
        python.StandardInput.Close();
        string output = python.StandardOutput.ReadToEnd();
        string errors = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(errors.Length == 0, $"python3 verify_v1a.py failed: {errors} (install python3-cryptography)");
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
