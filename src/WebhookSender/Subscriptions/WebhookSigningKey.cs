using NSec.Cryptography;

namespace WebhookSender;

/// <summary>
/// An Ed25519 key pair for <c>v1a</c> signatures (Standard Webhooks): the private key, <c>whsk_</c> and base64 of its
/// 32-byte seed, never shown by read APIs; the public key, <c>whpk_</c> and base64 of its 32 bytes, which receivers
/// verify with. Rotated keys keep signing until they expire, like secrets.
/// </summary>
public sealed record WebhookSigningKey
{
    /// <summary>What a private key begins with.</summary>
    public const string PrivatePrefix = "whsk_";

    /// <summary>What a public key begins with.</summary>
    public const string PublicPrefix = "whpk_";

    internal const string RedactedPrivateKey = PrivatePrefix + "********";

    private const int KeyBytes = 32;

    /// <summary>The private key (<c>whsk_…</c>); <c>whsk_********</c> in anything a read API returns.</summary>
    public required string PrivateKey { get; init; }

    /// <summary>The public key (<c>whpk_…</c>) receivers verify <c>v1a</c> signatures with.</summary>
    public required string PublicKey { get; init; }

    /// <summary>When the key was made.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a rotated-out key stops signing; <see langword="null"/> for the current key.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Whether the key still signs requests at <paramref name="now"/>.</summary>
    public bool IsLiveAt(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;

    /// <summary>Makes a new key pair from the system's random number generator.</summary>
    public static WebhookSigningKey Generate(DateTimeOffset now)
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new WebhookSigningKey
        {
            PrivateKey = PrivatePrefix + Convert.ToBase64String(key.Export(KeyBlobFormat.RawPrivateKey)),
            PublicKey = PublicPrefix + Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
            CreatedAt = now,
        };
    }

    /// <summary>The signature of <paramref name="data"/> with this key's private key.</summary>
    internal byte[] Sign(ReadOnlySpan<byte> data)
    {
        Span<byte> seed = stackalloc byte[KeyBytes];
        try
        {
            if (!PrivateKey.StartsWith(PrivatePrefix, StringComparison.Ordinal)
                || !Convert.TryFromBase64Chars(PrivateKey.AsSpan(PrivatePrefix.Length), seed, out int written) || written != KeyBytes)
            {
                throw new InvalidOperationException("A stored signing key is malformed (expected whsk_ and base64 of a 32-byte Ed25519 seed); rotate the subscription's signing key.");
            }

            using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
            return SignatureAlgorithm.Ed25519.Sign(key, data);
        }
        finally
        {
            seed.Clear();
        }
    }

    /// <summary>Shows the key with its private part redacted, so it never lands in a log by accident.</summary>
    public override string ToString() =>
        $"WebhookSigningKey {{ PrivateKey = {RedactedPrivateKey}, PublicKey = {PublicKey}, CreatedAt = {CreatedAt:O}, ExpiresAt = {ExpiresAt:O} }}";
}
