namespace WebhookSender.AspNetCore;

/// <summary>The client certificate presented to an endpoint that requires mutual TLS.</summary>
/// <param name="Certificate">
/// The certificate with its private key: PEM text, or base64 of a PKCS#12 (<c>.pfx</c>) file. Read back as
/// <c>********</c>; sending <c>********</c> back keeps the stored one.
/// </param>
/// <param name="Password">The password of the PKCS#12 file or of the encrypted PEM key; read back as <c>********</c>.</param>
/// <param name="Subject">The certificate's subject (read only).</param>
/// <param name="Thumbprint">Its SHA-256 thumbprint, uppercase hex (read only).</param>
/// <param name="ExpiresAt">When it expires (read only).</param>
public sealed record ClientCertificateResource(
    string? Certificate = null, string? Password = null, string? Subject = null, string? Thumbprint = null, DateTimeOffset? ExpiresAt = null);
