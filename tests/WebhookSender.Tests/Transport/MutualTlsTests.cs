using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Transport;

/// <summary>
/// Mutual TLS and private trust roots against Kestrel on 127.0.0.1, with certificate authorities made in the test
/// (issue 24, item 2).
/// </summary>
public sealed class MutualTlsTests : IDisposable
{
    private readonly TestCertificates _ca = TestCertificates.CreateAuthority("WebhookSender Test CA");
    private readonly TestCertificates _otherCa = TestCertificates.CreateAuthority("Some Other CA");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public async Task The_right_client_certificate_is_presented_and_the_delivery_succeeds()
    {
        using var server = _ca.IssueServer();
        using var client = _ca.IssueClient();
        await using var receiver = await TlsReceiver.StartAsync(server, clientAuthority: _ca);
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = []);

        var created = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.Url,
            ClientCertificate = WebhookClientCertificate.FromPem(client.ExportCertificatePem(), client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()),
            TrustedRoots = [_ca.AuthorityPem],
        })).Subscription;
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempt = await SingleAttemptAsync(host, published.MessageId);
        Assert.True(attempt.Succeeded, attempt.Error);
        Assert.Equal([client.GetCertHashString(HashAlgorithmName.SHA256)], receiver.ClientCertificates);

        // Read APIs show what identifies the certificate, never its key.
        Assert.Equal(("CN=shop-webhooks", client.GetCertHashString(HashAlgorithmName.SHA256), "********", (string?)null),
            (created.ClientCertificate!.Subject, created.ClientCertificate.Thumbprint, created.ClientCertificate.Certificate, created.ClientCertificate.Password));
        Assert.Equal(client.NotAfter.ToUniversalTime(), created.ClientCertificate.ExpiresAt!.Value.UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.DoesNotContain("PRIVATE KEY", created.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", (await host.Store.GetSubscriptionAsync(created.Id, default))!.ToString(), StringComparison.Ordinal);
        Assert.Equal([_ca.AuthorityPem], created.TrustedRoots);
    }

    [Fact]
    public async Task A_pkcs12_file_with_a_password_works_and_an_update_that_sends_the_redacted_certificate_back_keeps_it()
    {
        using var server = _ca.IssueServer();
        using var client = _ca.IssueClient();
        await using var receiver = await TlsReceiver.StartAsync(server, clientAuthority: _ca);
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = []);
        var request = new WebhookSubscriptionRequest
        {
            Url = receiver.Url,
            ClientCertificate = WebhookClientCertificate.FromPkcs12(client.Export(X509ContentType.Pkcs12, "pfx-pa55"), "pfx-pa55"),
            TrustedRoots = [_ca.AuthorityPem],
        };

        var created = (await host.Subscriptions.CreateAsync(request)).Subscription;
        Assert.Equal("********", created.ClientCertificate!.Password);
        Assert.DoesNotContain("pfx-pa55", created.ToString(), StringComparison.Ordinal);

        // What a read API handed out, sent back with a new name: the stored certificate and password stay.
        var renamed = await host.Subscriptions.UpdateAsync(created.Id, request with { Name = "renamed", ClientCertificate = created.ClientCertificate });
        Assert.Equal(created.ClientCertificate.Thumbprint, renamed.ClientCertificate!.Thumbprint);
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempt = await SingleAttemptAsync(host, published.MessageId);
        Assert.True(attempt.Succeeded, attempt.Error);
        Assert.Single(receiver.ClientCertificates);

        // Creating with the redacted value has nothing to keep.
        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(request with { ClientCertificate = created.ClientCertificate }));
        Assert.Contains("no stored client certificate", error.Errors["ClientCertificate"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_certificate_or_the_wrong_one_is_a_failed_attempt_that_says_why()
    {
        using var server = _ca.IssueServer();
        using var stranger = _otherCa.IssueClient("CN=stranger");
        await using var receiver = await TlsReceiver.StartAsync(server, clientAuthority: _ca);
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = []);

        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.Url, TrustedRoots = [_ca.AuthorityPem] });
        var none = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        var noneAttempt = await SingleAttemptAsync(host, none.MessageId);
        Assert.False(noneAttempt.Succeeded);
        Assert.Equal(
            $"The connection to 127.0.0.1:{receiver.Url.Port} was closed or reset before a complete response arrived. If the endpoint requires mutual TLS, give the subscription a ClientCertificate.",
            noneAttempt.Error);

        var strangers = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.Url,
            TrustedRoots = [_ca.AuthorityPem],
            ClientCertificate = WebhookClientCertificate.FromPem(stranger.ExportCertificatePem(), stranger.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()),
            EventTypes = ["order.updated"],
        });
        var wrong = await host.Publisher.PublishAsync(new WebhookEvent("order.updated", new { id = 1 }));
        var wrongAttempt = (await Eventually.WaitForAsync(() => host.AttemptsAsync(strangers.Subscription.Id), a => a.Count == 1, "the stranger's attempt")).Single();
        Assert.False(wrongAttempt.Succeeded);
        Assert.EndsWith(
            $"If the endpoint requires mutual TLS, it may have refused the client certificate CN=stranger (SHA-256 {stranger.GetCertHashString(HashAlgorithmName.SHA256)}): a refused certificate shows as a closed connection.",
            wrongAttempt.Error);

        // Nothing reached the endpoint's handler; the server refused the stranger's certificate in the handshake.
        Assert.Empty(receiver.ClientCertificates);
        Assert.True(receiver.RefusedCertificates >= 1);
    }

    [Fact]
    public async Task An_endpoint_of_a_private_ca_is_trusted_only_with_that_ca_as_a_trusted_root()
    {
        using var server = _ca.IssueServer();
        await using var receiver = await TlsReceiver.StartAsync(server);
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = []);

        // The system's roots do not know the test CA; another CA's root does not vouch for it; its own does.
        var system = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.Url, EventTypes = ["order.created"] });
        var other = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.Url, TrustedRoots = [_otherCa.AuthorityPem], EventTypes = ["order.created"] });
        var own = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.Url, TrustedRoots = [_ca.AuthorityPem], EventTypes = ["order.created"] });
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(), a => a.Count == 3, "three attempts");
        var bySubscription = attempts.ToDictionary(a => a.SubscriptionId);
        Assert.True(bySubscription[own.Subscription.Id].Succeeded, bySubscription[own.Subscription.Id].Error);
        Assert.False(bySubscription[system.Subscription.Id].Succeeded);
        Assert.StartsWith($"The TLS handshake with 127.0.0.1:{receiver.Url.Port} failed: The remote certificate is invalid", bySubscription[system.Subscription.Id].Error);
        Assert.EndsWith("give the subscription that authority's certificate as TrustedRoots.", bySubscription[system.Subscription.Id].Error);
        Assert.False(bySubscription[other.Subscription.Id].Succeeded);
        Assert.EndsWith("The subscription trusts only its TrustedRoots; check that the endpoint's certificate is issued by one of them.", bySubscription[other.Subscription.Id].Error);
        Assert.Single(receiver.ClientCertificates);
    }

    [Fact]
    public async Task Certificates_and_roots_that_cannot_work_are_refused_before_anything_is_stored()
    {
        using var client = _ca.IssueClient();
        using var serverOnly = _ca.IssueServer();
        using var expired = _ca.IssueClient(notAfter: DateTimeOffset.UtcNow.AddHours(-1));
        await using var host = await TestHost.StartAsync();
        var url = new Uri("https://receiver.example/hooks");
        var pem = TestCertificates.Pem(client);

        var problems = new Dictionary<string, WebhookSubscriptionRequest>
        {
            ["A client certificate is presented in the TLS handshake, so it needs an https URL."] =
                new() { Url = new Uri("http://receiver.example/hooks"), ClientCertificate = new() { Certificate = pem } },
            ["The client certificate cannot be read: It is neither PEM text (-----BEGIN CERTIFICATE-----) nor base64 of a PKCS#12 file."] =
                new() { Url = url, ClientCertificate = new() { Certificate = "not a certificate!" } },
            ["The client certificate cannot be read"] =
                new() { Url = url, ClientCertificate = WebhookClientCertificate.FromPkcs12(client.Export(X509ContentType.Pkcs12, "right"), "wrong") },
            ["The client certificate cannot be read: "] =
                new() { Url = url, ClientCertificate = new() { Certificate = client.ExportCertificatePem() } },
            ["The client certificate expired on "] =
                new() { Url = url, ClientCertificate = new() { Certificate = TestCertificates.Pem(expired) } },
            ["The certificate is not for client authentication"] =
                new() { Url = url, ClientCertificate = new() { Certificate = TestCertificates.Pem(serverOnly) } },
            ["Trusted root 1 is not a PEM certificate: It contains a private key"] =
                new() { Url = url, TrustedRoots = [pem] },
            ["Trusted root 2 is not a PEM certificate"] =
                new() { Url = url, TrustedRoots = [_ca.AuthorityPem, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"] },
            ["Trusted roots check the endpoint's TLS certificate, so they need an https URL."] =
                new() { Url = new Uri("http://receiver.example/hooks"), TrustedRoots = [_ca.AuthorityPem] },
        };

        foreach (var (expected, request) in problems)
        {
            var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(request));
            var messages = error.Errors.Values.SelectMany(m => m).ToList();
            Assert.True(messages.Any(m => m.StartsWith(expected, StringComparison.Ordinal)), $"expected '{expected}', got: {string.Join(" | ", messages)}");
            Assert.DoesNotContain("right", string.Join(" ", messages), StringComparison.Ordinal);
        }

        Assert.Empty((await host.Subscriptions.ListAsync()).Items);
    }

    private static async Task<DeliveryAttempt> SingleAttemptAsync(TestHost host, string messageId) =>
        (await Eventually.WaitForAsync(() => host.AttemptsAsync(messageId: messageId), a => a.Count == 1, "the attempt")).Single();
}
