using System.Text;

namespace WebhookSender.Testing.Tests.Verifying;

public sealed class StandardWebhookVerifierTests
{
    // The official Standard Webhooks test vectors.
    private const string Secret1 = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id1 = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string Timestamp1 = "1614265330";
    private const string Body1 = """{"test": 2432232314}""";
    private const string Signature1 = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private const string Secret2 = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    private const string Id2 = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    private const string Timestamp2 = "1649367553";
    private const string Body2 = """{"email":"test@example.com","username":"test_user"}""";
    private const string Signature2 = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    private static readonly DateTimeOffset Now1 = DateTimeOffset.FromUnixTimeSeconds(1614265330);

    public static TheoryData<string, string, string, string, string> Vectors => new()
    {
        { Secret1, Id1, Timestamp1, Body1, Signature1 },
        { Secret2, Id2, Timestamp2, Body2, Signature2 },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Official_vectors_verify(string secret, string id, string timestamp, string body, string signature)
    {
        var verifier = new StandardWebhookVerifier(secret);

        Assert.True(verifier.Verify(id, timestamp, signature, Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Test_signer_reproduces_the_official_vectors(string secret, string id, string timestamp, string body, string signature)
    {
        // Guards the hand-written signer the receiver tests rely on.
        Assert.Equal(signature, TestSignatures.Sign(secret, id, timestamp, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Raw_base64_secret_without_prefix_verifies()
    {
        var verifier = new StandardWebhookVerifier(Secret1["whsec_".Length..]);

        Assert.True(verifier.Verify(Id1, Timestamp1, Signature1, Encoding.UTF8.GetBytes(Body1)));
    }

    [Fact]
    public void Tampered_body_fails()
    {
        var verifier = new StandardWebhookVerifier(Secret1);

        Assert.False(verifier.Verify(Id1, Timestamp1, Signature1, Encoding.UTF8.GetBytes("""{"test": 2432232315}""")));
    }

    [Fact]
    public void Tampered_id_fails()
    {
        var verifier = new StandardWebhookVerifier(Secret1);

        Assert.False(verifier.Verify("msg_p5jXN8AQM9LWM0D4loKWxJeK", Timestamp1, Signature1, Encoding.UTF8.GetBytes(Body1)));
    }

    [Fact]
    public void Tampered_timestamp_fails()
    {
        var verifier = new StandardWebhookVerifier(Secret1);

        Assert.False(verifier.Verify(Id1, "1614265331", Signature1, Encoding.UTF8.GetBytes(Body1)));
    }

    [Fact]
    public void Signature_of_another_secret_fails()
    {
        var verifier = new StandardWebhookVerifier(Secret2);

        Assert.False(verifier.Verify(Id1, Timestamp1, Signature1, Encoding.UTF8.GetBytes(Body1)));
    }

    [Fact]
    public void Header_with_two_signatures_passes_when_only_the_second_matches()
    {
        var verifier = new StandardWebhookVerifier(Secret1);
        var header = $"{Signature2} {Signature1}";

        Assert.True(verifier.Verify(Id1, Timestamp1, header, Encoding.UTF8.GetBytes(Body1)));
    }

    [Theory]
    [InlineData("v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("v1,not base64!")]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O")]
    [InlineData("")]
    public void Entries_that_are_not_a_matching_v1_signature_fail(string header)
    {
        var verifier = new StandardWebhookVerifier(Secret1);

        Assert.False(verifier.Verify(Id1, Timestamp1, header, Encoding.UTF8.GetBytes(Body1)));
    }

    [Theory]
    [InlineData("whsec_")]
    [InlineData("whsec_not*base64")]
    [InlineData("   ")]
    public void Unusable_secret_is_rejected(string secret)
    {
        Assert.ThrowsAny<ArgumentException>(() => new StandardWebhookVerifier(secret));
    }

    [Fact]
    public void Full_verification_passes_within_tolerance_with_any_header_casing()
    {
        var verifier = new StandardWebhookVerifier(Secret1);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Webhook-Id"] = Id1,
            ["WEBHOOK-TIMESTAMP"] = Timestamp1,
            ["webhook-signature"] = Signature1,
        };

        var exception = Record.Exception(() => verifier.Verify(headers, Encoding.UTF8.GetBytes(Body1), now: Now1.AddMinutes(4)));

        Assert.Null(exception);
    }

    [Theory]
    [InlineData("webhook-id")]
    [InlineData("webhook-timestamp")]
    [InlineData("webhook-signature")]
    public void Full_verification_reports_a_missing_header(string missing)
    {
        var verifier = new StandardWebhookVerifier(Secret1);
        var headers = ValidHeaders();
        headers.Remove(missing);

        var exception = Assert.Throws<WebhookVerificationException>(() => verifier.Verify(headers, Encoding.UTF8.GetBytes(Body1), now: Now1));

        Assert.Equal(WebhookVerificationFailure.MissingHeader, exception.Failure);
        Assert.Contains(missing, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public void Full_verification_rejects_a_timestamp_outside_the_default_tolerance(int minutesFromTimestamp)
    {
        var verifier = new StandardWebhookVerifier(Secret1);

        var exception = Assert.Throws<WebhookVerificationException>(
            () => verifier.Verify(ValidHeaders(), Encoding.UTF8.GetBytes(Body1), now: Now1.AddMinutes(minutesFromTimestamp)));

        Assert.Equal(WebhookVerificationFailure.TimestampOutsideTolerance, exception.Failure);
        Assert.Contains("00:05:00", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Full_verification_honours_a_custom_tolerance()
    {
        var verifier = new StandardWebhookVerifier(Secret1);
        var body = Encoding.UTF8.GetBytes(Body1);

        verifier.Verify(ValidHeaders(), body, tolerance: TimeSpan.FromHours(1), now: Now1.AddMinutes(59));
        var exception = Assert.Throws<WebhookVerificationException>(
            () => verifier.Verify(ValidHeaders(), body, tolerance: TimeSpan.FromSeconds(10), now: Now1.AddSeconds(11)));

        Assert.Equal(WebhookVerificationFailure.TimestampOutsideTolerance, exception.Failure);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-1614265330")]
    [InlineData("1614265330.5")]
    [InlineData("99999999999999999999")]
    public void Full_verification_rejects_a_malformed_timestamp(string timestamp)
    {
        var verifier = new StandardWebhookVerifier(Secret1);
        var headers = ValidHeaders();
        headers["webhook-timestamp"] = timestamp;

        var exception = Assert.Throws<WebhookVerificationException>(() => verifier.Verify(headers, Encoding.UTF8.GetBytes(Body1), now: Now1));

        Assert.Equal(WebhookVerificationFailure.InvalidTimestamp, exception.Failure);
    }

    [Fact]
    public void Full_verification_rejects_a_tampered_body_without_revealing_the_expected_signature()
    {
        var verifier = new StandardWebhookVerifier(Secret1);

        var exception = Assert.Throws<WebhookVerificationException>(
            () => verifier.Verify(ValidHeaders(), Encoding.UTF8.GetBytes("""{"test": 1}"""), now: Now1));

        Assert.Equal(WebhookVerificationFailure.NoMatchingSignature, exception.Failure);
        Assert.DoesNotContain("g0hM9SsE", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MfKQ9r8G", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Full_verification_accepts_the_second_of_two_signatures()
    {
        var verifier = new StandardWebhookVerifier(Secret1);
        var headers = ValidHeaders();
        headers["webhook-signature"] = $"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= {Signature1}";

        var exception = Record.Exception(() => verifier.Verify(headers, Encoding.UTF8.GetBytes(Body1), now: Now1));

        Assert.Null(exception);
    }

    private static Dictionary<string, string> ValidHeaders() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["webhook-id"] = Id1,
        ["webhook-timestamp"] = Timestamp1,
        ["webhook-signature"] = Signature1,
    };
}
