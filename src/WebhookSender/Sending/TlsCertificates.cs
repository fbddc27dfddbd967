using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WebhookSender;

/// <summary>
/// Reads a subscription's client certificate and trusted roots, for the validator (which refuses what cannot be read,
/// before it is stored) and for the TLS settings of its connection pool.
/// </summary>
internal static class TlsCertificates
{
    /// <summary>The OID of the client-authentication extended key usage.</summary>
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// The certificate with its key, and the other certificates that came with it (intermediates sent in the handshake).
    /// </summary>
    /// <exception cref="CryptographicException">The text is neither PEM nor PKCS#12, the password is wrong, or the key is missing.</exception>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Others) LoadClientCertificate(WebhookClientCertificate certificate)
    {
        string text = certificate.Certificate ?? throw new CryptographicException("There is no certificate.");
        X509Certificate2 leaf;
        var others = new X509Certificate2Collection();
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            leaf = string.IsNullOrEmpty(certificate.Password)
                ? X509Certificate2.CreateFromPem(text, text)
                : X509Certificate2.CreateFromEncryptedPem(text, text, certificate.Password);
            var all = new X509Certificate2Collection();
            all.ImportFromPem(text);
            others.AddRange(all.Where(c => c.Thumbprint != leaf.Thumbprint).ToArray());
        }
        else
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(text.Trim());
            }
            catch (FormatException)
            {
                throw new CryptographicException("It is neither PEM text (-----BEGIN CERTIFICATE-----) nor base64 of a PKCS#12 file.");
            }

            var all = X509CertificateLoader.LoadPkcs12Collection(bytes, certificate.Password);
            leaf = all.FirstOrDefault(c => c.HasPrivateKey)
                ?? throw new CryptographicException("The PKCS#12 file holds no certificate with a private key; export it with its key.");
            others.AddRange(all.Where(c => !ReferenceEquals(c, leaf)).ToArray());
        }

        if (!leaf.HasPrivateKey)
        {
            throw new CryptographicException("The certificate has no private key; add the key's PEM block after the certificate.");
        }

        // Windows' TLS stack cannot use a key that lives only in memory (PEM); one that went through PKCS#12 it can.
        if (OperatingSystem.IsWindows())
        {
            leaf = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), password: null);
        }

        return (leaf, others);
    }

    /// <summary>What is wrong with <paramref name="leaf"/> as a client certificate at <paramref name="now"/>, or <see langword="null"/>.</summary>
    public static string? ClientCertificateProblem(X509Certificate2 leaf, DateTimeOffset now)
    {
        if (leaf.NotAfter.ToUniversalTime() <= now.UtcDateTime)
        {
            return $"The client certificate expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; give a current one.";
        }

        if (leaf.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            return $"The client certificate is valid only from {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; give one that is valid now.";
        }

        var usages = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault()?.EnhancedKeyUsages;
        if (usages is not null && usages.Count > 0 && !usages.Cast<Oid>().Any(u => u.Value == ClientAuthentication))
        {
            return "The certificate is not for client authentication: its extended key usage lacks clientAuth (1.3.6.1.5.5.7.3.2).";
        }

        return null;
    }

    /// <summary>The certificate a PEM trusted root holds.</summary>
    /// <exception cref="CryptographicException">It is not one PEM certificate, or it carries a private key.</exception>
    public static X509Certificate2 LoadRoot(string pem)
    {
        if (pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new CryptographicException("It contains a private key; give the authority's certificate only.");
        }

        return X509Certificate2.CreateFromPem(pem);
    }

    /// <summary>What a subscription's certificate is shown as: subject, SHA-256 thumbprint, expiry; its key and password kept.</summary>
    public static WebhookClientCertificate Describe(WebhookClientCertificate certificate)
    {
        var (leaf, _) = LoadClientCertificate(certificate);
        using (leaf)
        {
            return certificate with
            {
                Subject = leaf.Subject,
                Thumbprint = leaf.GetCertHashString(HashAlgorithmName.SHA256),
                ExpiresAt = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            };
        }
    }

    /// <summary>The TLS settings of a transport with a client certificate or roots of its own; <see langword="null"/> for the system's defaults.</summary>
    public static SslClientAuthenticationOptions? SslOptionsFor(EndpointTransport transport)
    {
        if (transport.ClientCertificate is null && transport.TrustedRoots.Count == 0)
        {
            return null;
        }

        var ssl = new SslClientAuthenticationOptions();
        if (transport.ClientCertificate is { } certificate)
        {
            var (leaf, others) = LoadClientCertificate(certificate);
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(leaf, others, offline: true);
        }

        if (transport.TrustedRoots.Count > 0)
        {
            // Only these roots: an endpoint of a private CA is trusted for that CA, and nothing else is. The host name
            // is still checked; revocation is not, as with the system's roots (SocketsHttpHandler's default).
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            foreach (var root in transport.TrustedRoots)
            {
                policy.CustomTrustStore.Add(LoadRoot(root));
            }

            ssl.CertificateChainPolicy = policy;
        }

        return ssl;
    }
}
