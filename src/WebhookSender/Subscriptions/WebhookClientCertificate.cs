namespace WebhookSender;

/// <summary>
/// The client certificate a subscription presents in the TLS handshake, for endpoints that require mutual TLS. It holds
/// a private key: read APIs show <see cref="Subject"/>, <see cref="Thumbprint"/> and <see cref="ExpiresAt"/>, never
/// <see cref="Certificate"/> or <see cref="Password"/>.
/// </summary>
public sealed record WebhookClientCertificate
{
    /// <summary>
    /// The certificate with its private key: PEM text (a <c>CERTIFICATE</c> block, then a <c>PRIVATE KEY</c>,
    /// <c>ENCRYPTED PRIVATE KEY</c>, <c>RSA PRIVATE KEY</c> or <c>EC PRIVATE KEY</c> block; intermediate certificates may
    /// follow the first), or base64 of a PKCS#12 (<c>.pfx</c>) file. <c>********</c> in read APIs.
    /// </summary>
    public string? Certificate { get; init; }

    /// <summary>The password of the PKCS#12 file or of the encrypted PEM key; <see langword="null"/> for none. <c>********</c> in read APIs.</summary>
    public string? Password { get; init; }

    /// <summary>The certificate's subject, filled in when the subscription is stored.</summary>
    public string? Subject { get; init; }

    /// <summary>The SHA-256 thumbprint (uppercase hex), filled in when the subscription is stored.</summary>
    public string? Thumbprint { get; init; }

    /// <summary>When the certificate expires (its <c>NotAfter</c>), filled in when the subscription is stored.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>A certificate and its private key in PEM; <paramref name="password"/> when the key is encrypted.</summary>
    public static WebhookClientCertificate FromPem(string certificatePem, string privateKeyPem, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificatePem);
        ArgumentException.ThrowIfNullOrWhiteSpace(privateKeyPem);
        return new() { Certificate = certificatePem.TrimEnd() + "\n" + privateKeyPem.Trim() + "\n", Password = password };
    }

    /// <summary>A PKCS#12 (<c>.pfx</c>) file's bytes and its password.</summary>
    public static WebhookClientCertificate FromPkcs12(byte[] pkcs12, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(pkcs12);
        return new() { Certificate = Convert.ToBase64String(pkcs12), Password = password };
    }

    /// <summary>Shows what identifies the certificate, never its key or password.</summary>
    public override string ToString() =>
        $"WebhookClientCertificate {{ Subject = {Subject}, Thumbprint = {Thumbprint}, ExpiresAt = {ExpiresAt:O}, Certificate = {WebhookAuthentication.RedactedSecret} }}";
}
