using System.Security.Cryptography;

namespace WebhookSender;

/// <summary>
/// A signing secret in the Standard Webhooks form <c>whsec_&lt;base64&gt;</c>. <see cref="ToString"/> never shows the value.
/// </summary>
public sealed record WebhookSecret
{
    /// <summary>The prefix every secret carries.</summary>
    public const string Prefix = "whsec_";

    /// <summary>Smallest accepted key size in bytes.</summary>
    public const int MinKeyBytes = 24;

    /// <summary>Largest accepted key size in bytes.</summary>
    public const int MaxKeyBytes = 64;

    internal const string RedactedValue = Prefix + "********";

    /// <summary>The secret, <c>whsec_</c> followed by base64; redacted (<c>whsec_********</c>) in read APIs.</summary>
    public required string Value { get; init; }

    /// <summary>When the secret was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a rotated-out secret stops being used for signing; <see langword="null"/> for the current one.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Whether the secret still signs requests at <paramref name="now"/>.</summary>
    public bool IsLiveAt(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;

    /// <summary>Generates a new secret: <c>whsec_</c> and base64 of 32 random bytes.</summary>
    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Returns the key bytes of a well-formed secret, or <see langword="null"/> with a reason if it is not.</summary>
    internal static byte[]? TryDecode(string? value, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(value) || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            problem = $"A secret must start with '{Prefix}' followed by base64 of {MinKeyBytes} to {MaxKeyBytes} random bytes; leave it empty to have one generated.";
            return null;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(value[Prefix.Length..]);
        }
        catch (FormatException)
        {
            problem = $"The part of the secret after '{Prefix}' is not valid base64; leave the secret empty to have one generated.";
            return null;
        }

        if (key.Length is < MinKeyBytes or > MaxKeyBytes)
        {
            problem = $"The secret decodes to {key.Length} bytes; it must be {MinKeyBytes} to {MaxKeyBytes} bytes.";
            return null;
        }

        return key;
    }

    /// <summary>Shows the secret redacted, so it never lands in a log by accident.</summary>
    public override string ToString() => $"WebhookSecret {{ Value = {RedactedValue}, CreatedAt = {CreatedAt:O}, ExpiresAt = {ExpiresAt:O} }}";
}
