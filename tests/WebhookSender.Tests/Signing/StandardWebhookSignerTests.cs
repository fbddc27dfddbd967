using System.Text;
using WebhookSender.Testing;

namespace WebhookSender.Tests.Signing;

public class StandardWebhookSignerTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.UnixEpoch;

    [Theory]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553L, "{\"email\":\"test@example.com\",\"username\":\"test_user\"}", "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=")]
    public void Reproduces_the_Standard_Webhooks_test_vectors(string secret, string id, long timestamp, string body, string expected)
    {
        var signature = new StandardWebhookSigner().Sign(id, DateTimeOffset.FromUnixTimeSeconds(timestamp), Encoding.UTF8.GetBytes(body), [Secret(secret)]);

        Assert.Equal(expected, signature);
    }

    [Fact]
    public void Two_live_secrets_give_two_signatures_each_verifiable_on_its_own()
    {
        string oldSecret = WebhookSecret.Generate();
        string newSecret = WebhookSecret.Generate();
        byte[] body = Encoding.UTF8.GetBytes("{\"id\":\"msg_1\",\"data\":{\"x\":1}}");
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        string header = new StandardWebhookSigner().Sign("msg_1", timestamp, body, [Secret(newSecret), Secret(oldSecret)]);

        var signatures = header.Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.All(signatures, s => Assert.StartsWith("v1,", s));
        Assert.NotEqual(signatures[0], signatures[1]);
        Assert.True(new StandardWebhookVerifier(newSecret).Verify("msg_1", "1700000000", signatures[0], body));
        Assert.True(new StandardWebhookVerifier(oldSecret).Verify("msg_1", "1700000000", signatures[1], body));
        Assert.False(new StandardWebhookVerifier(oldSecret).Verify("msg_1", "1700000000", signatures[0], body));
        Assert.True(new StandardWebhookVerifier(oldSecret).Verify("msg_1", "1700000000", header, body));
    }

    [Fact]
    public void Signature_covers_id_timestamp_and_every_body_byte()
    {
        string secret = WebhookSecret.Generate();
        var signer = new StandardWebhookSigner();
        var at = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        byte[] body = Encoding.UTF8.GetBytes("{\"a\":1}");
        string reference = signer.Sign("msg_a", at, body, [Secret(secret)]);

        Assert.NotEqual(reference, signer.Sign("msg_b", at, body, [Secret(secret)]));
        Assert.NotEqual(reference, signer.Sign("msg_a", at.AddSeconds(1), body, [Secret(secret)]));
        Assert.NotEqual(reference, signer.Sign("msg_a", at, Encoding.UTF8.GetBytes("{\"a\":2}"), [Secret(secret)]));
        Assert.Equal(reference, signer.Sign("msg_a", at, body, [Secret(secret)]));
    }

    [Fact]
    public void Generated_secrets_are_whsec_with_32_random_bytes()
    {
        string a = WebhookSecret.Generate();
        string b = WebhookSecret.Generate();

        Assert.StartsWith("whsec_", a);
        Assert.Equal(32, Convert.FromBase64String(a["whsec_".Length..]).Length);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_secret_never_shows_in_ToString()
    {
        string value = WebhookSecret.Generate();
        var secret = Secret(value);
        var subscription = new WebhookSubscription { Id = "sub_1", Url = new Uri("https://example.com"), Secrets = [secret], CreatedAt = Created, UpdatedAt = Created };
        var created = new CreatedSubscription(subscription, value);
        var request = new WebhookSubscriptionRequest { Url = new Uri("https://example.com"), Secret = value };

        Assert.DoesNotContain(value, secret.ToString());
        Assert.DoesNotContain(value[6..], subscription.ToString());
        Assert.DoesNotContain(value[6..], created.ToString());
        Assert.DoesNotContain(value[6..], request.ToString());
    }

    private static WebhookSecret Secret(string value) => new() { Value = value, CreatedAt = Created };
}
