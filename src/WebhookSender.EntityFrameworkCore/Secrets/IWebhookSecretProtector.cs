namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Protects stored subscription documents (signing secrets, endpoint credentials and everything else in the
/// subscription) at rest. Register one with <c>ProtectStoredSecrets()</c> (ASP.NET Core Data Protection) or
/// <c>ProtectStoredSecrets&lt;TProtector&gt;()</c> (your own, for example a KMS envelope).
/// </summary>
/// <remarks>
/// Implementations must be thread-safe. <see cref="Unprotect"/> must throw, never return garbage, when it cannot
/// recover the text (for example because the key is missing): the store then reports the subscription as unreadable.
/// </remarks>
public interface IWebhookSecretProtector
{
    /// <summary>Protects <paramref name="plaintext"/> for storage.</summary>
    /// <param name="plaintext">The subscription document as JSON.</param>
    /// <returns>The protected text to store.</returns>
    string Protect(string plaintext);

    /// <summary>Recovers what <see cref="Protect"/> returned.</summary>
    /// <param name="protectedText">The stored text.</param>
    /// <returns>The original plaintext.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The text cannot be recovered, for example because the key is not available.</exception>
    string Unprotect(string protectedText);
}
