using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.AspNetCore.Tests.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>Client certificates, trusted roots and proxies set through the HTTP API (issue 24, items 2 and 3).</summary>
public sealed class EndpointSecurityApiTests
{
    [Fact]
    public async Task A_client_certificate_and_proxy_read_back_without_their_secrets_and_a_patch_keeps_them()
    {
        await using var host = await ApiHost.StartAsync();
        using var certificate = SelfSigned("CN=shop-client");
        string pem = certificate.ExportCertificatePem() + "\n" + certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
        string root = certificate.ExportCertificatePem();
        var url = new Uri($"https://127.0.0.1:{host.Receiver.UrlFor("/").Port}/hooks");

        var created = await host.CreateAsync("acme", new
        {
            url,
            clientCertificate = new { certificate = pem },
            trustedRoots = new[] { root },
            proxy = new { url = "http://127.0.0.1:9/", username = "shop", password = "pr0xy-pa55" },
        });
        var subscription = created["subscription"]!;
        string thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        var shownCertificate = subscription["clientCertificate"]!;
        Assert.Equal(("********", null, "CN=shop-client", thumbprint),
            ((string?)shownCertificate["certificate"], (string?)shownCertificate["password"], (string?)shownCertificate["subject"], (string?)shownCertificate["thumbprint"]));
        Assert.Equal("""{"url":"http://127.0.0.1:9/","username":"shop","password":"********"}""", subscription["proxy"]!.ToJsonString());
        Assert.Equal(root, (string?)subscription["trustedRoots"]![0]);
        Assert.DoesNotContain("PRIVATE KEY", subscription.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-pa55", subscription.ToJsonString(), StringComparison.Ordinal);
        string id = (string)subscription["id"]!;

        var patched = await FlowTests.SendAsync(host, HttpMethod.Patch, $"/{id}", """{"name":"renamed"}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var stored = await host.Services.GetRequiredService<IWebhookStore>().GetSubscriptionAsync(id, default);
        Assert.Equal((pem, "pr0xy-pa55", "renamed"), (stored!.ClientCertificate!.Certificate, stored.Proxy!.Password, stored.Name));

        // A patch can send the subscription direct, or back to the host's proxy.
        await FlowTests.SendAsync(host, HttpMethod.Patch, $"/{id}", """{"proxy":{"url":null,"username":null,"password":null}}""");
        Assert.True((await host.Services.GetRequiredService<IWebhookStore>().GetSubscriptionAsync(id, default))!.Proxy is { Url: null });
        await FlowTests.SendAsync(host, HttpMethod.Patch, $"/{id}", """{"proxy":null}""");
        Assert.Null((await host.Services.GetRequiredService<IWebhookStore>().GetSubscriptionAsync(id, default))!.Proxy);
    }

    [Theory]
    [InlineData("""{"clientCertificate":{"certificate":"not a certificate"}}""", "clientCertificate")]
    [InlineData("""{"trustedRoots":["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"]}""", "trustedRoots")]
    [InlineData("""{"proxy":{"url":"https://proxy.example:3128"}}""", "proxy")]
    public async Task Bad_endpoint_security_answers_400_naming_the_field_and_nothing_is_stored(string settings, string field)
    {
        await using var host = await ApiHost.StartAsync();
        string body = settings.Insert(1, $"\"url\":\"https://127.0.0.1:{host.Receiver.UrlFor("/").Port}/hooks\",");

        var response = await FlowTests.SendAsync(host, HttpMethod.Post, "", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await ApiHost.JsonAsync(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), errors.ToJsonString());
        Assert.Empty((await host.Services.GetRequiredService<IWebhookStore>().ListSubscriptionsAsync(new SubscriptionQuery(), default)).Items);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
