using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WebhookSender.Tests.Transport;

/// <summary>A certificate authority made in the test, and the certificates it issues (no files from elsewhere).</summary>
internal sealed class TestCertificates : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private TestCertificates(X509Certificate2 authority) => Authority = authority;

    /// <summary>The CA's certificate, with its key.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The CA's certificate as PEM, what a subscription's trusted roots hold.</summary>
    public string AuthorityPem => Authority.ExportCertificatePem();

    public static TestCertificates CreateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new TestCertificates(request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1)));
    }

    /// <summary>A server certificate for 127.0.0.1, ::1 and localhost.</summary>
    public X509Certificate2 IssueServer() => Issue("CN=127.0.0.1", ServerAuth, san =>
    {
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
    });

    /// <summary>A client certificate; <paramref name="usage"/> is its extended key usage (clientAuth unless a test says otherwise).</summary>
    public X509Certificate2 IssueClient(string subject = "CN=shop-webhooks", string usage = ClientAuth, DateTimeOffset? notAfter = null) =>
        Issue(subject, usage, san => san.AddDnsName("shop.example"), notAfter);

    /// <summary>The certificate and its key as one PEM text.</summary>
    public static string Pem(X509Certificate2 certificate) =>
        certificate.ExportCertificatePem() + "\n" + certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();

    public void Dispose() => Authority.Dispose();

    private X509Certificate2 Issue(string subject, string usage, Action<SubjectAlternativeNameBuilder> names, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var san = new SubjectAlternativeNameBuilder();
        names(san);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        var end = notAfter ?? now.AddDays(30);
        using var issued = request.Create(Authority, now.AddDays(-1) < end ? now.AddDays(-1) : end.AddDays(-1), end, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }
}
