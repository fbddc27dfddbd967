using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WebhookSender.Testing;

/// <summary>
/// A receiver-side verifier for Standard Webhooks signatures
/// (<c>webhook-signature: v1,&lt;base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")&gt;</c>).
/// </summary>
/// <remarks>
/// It is written from the specification alone and shares no code with WebhookSender's signer, so a test that
/// verifies the sender's requests with it checks the sender against the spec rather than against itself.
/// It is thread-safe.
/// </remarks>
public sealed class StandardWebhookVerifier
{
    private const string SecretPrefix = "whsec_";
    private const string SignatureVersion = "v1,";
    private const int HmacSha256Length = 32;

    private readonly byte[] _key;

    /// <summary>Creates a verifier for one secret.</summary>
    /// <param name="secret">
    /// The endpoint secret, either <c>whsec_</c> followed by base64, or the raw base64 key without the prefix.
    /// </param>
    /// <exception cref="ArgumentException">The secret is empty or not valid base64 after its prefix.</exception>
    public StandardWebhookVerifier(string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);

        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        byte[] key;
        try
        {
            key = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            throw new ArgumentException(
                "The secret must be 'whsec_' followed by base64, or the raw base64 key; the part after the prefix is not valid base64.",
                nameof(secret));
        }

        if (key.Length == 0)
        {
            throw new ArgumentException("The secret decodes to an empty key; pass the endpoint's 'whsec_…' secret.", nameof(secret));
        }

        _key = key;
    }

    /// <summary>How far <c>webhook-timestamp</c> may be from now when no tolerance is given: five minutes, as the spec recommends.</summary>
    public static TimeSpan DefaultTolerance { get; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Checks the signature only (not the timestamp's freshness): returns <see langword="true"/> when any of the
    /// space-separated <c>v1,…</c> entries in <paramref name="webhookSignatureHeader"/> matches.
    /// Entries of other versions are ignored. Comparison is constant-time.
    /// </summary>
    /// <param name="webhookId">The <c>webhook-id</c> header value.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header value, exactly as received.</param>
    /// <param name="webhookSignatureHeader">The <c>webhook-signature</c> header value.</param>
    /// <param name="body">The raw request body bytes, exactly as received.</param>
    /// <returns><see langword="true"/> when at least one <c>v1</c> signature matches.</returns>
    public bool Verify(string webhookId, string webhookTimestamp, string webhookSignatureHeader, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        ArgumentNullException.ThrowIfNull(webhookTimestamp);
        ArgumentNullException.ThrowIfNull(webhookSignatureHeader);

        return CountAndMatch(webhookId, webhookTimestamp, webhookSignatureHeader, body, out _);
    }

    /// <summary>
    /// Verifies a received webhook completely: the three headers are present, the timestamp is within
    /// <paramref name="tolerance"/> of <paramref name="now"/>, and a <c>v1</c> signature matches.
    /// </summary>
    /// <param name="headers">The request headers; names are looked up case-insensitively.</param>
    /// <param name="body">The raw request body bytes, exactly as received.</param>
    /// <param name="tolerance">Allowed distance between the timestamp and now; <see cref="DefaultTolerance"/> when <see langword="null"/>.</param>
    /// <param name="now">The current time; the system clock when <see langword="null"/>. Pass a fixed value to verify recorded requests.</param>
    /// <exception cref="WebhookVerificationException">The webhook fails a check; <see cref="WebhookVerificationException.Failure"/> says which.</exception>
    public void Verify(IReadOnlyDictionary<string, string> headers, byte[] body, TimeSpan? tolerance = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(body);
        if (tolerance is { } t && t < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), t, "The tolerance must not be negative.");
        }

        var id = RequireHeader(headers, "webhook-id");
        var timestamp = RequireHeader(headers, "webhook-timestamp");
        var signature = RequireHeader(headers, "webhook-signature");

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw new WebhookVerificationException(
                WebhookVerificationFailure.InvalidTimestamp,
                $"The webhook-timestamp header '{timestamp}' is not a whole number of seconds since the Unix epoch.");
        }

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var clock = now ?? TimeProvider.System.GetUtcNow();
        var allowed = tolerance ?? DefaultTolerance;
        if ((clock - sentAt).Duration() > allowed)
        {
            throw new WebhookVerificationException(
                WebhookVerificationFailure.TimestampOutsideTolerance,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The webhook-timestamp {seconds} ({sentAt:O}) is {(clock - sentAt).Duration()} {(clock >= sentAt ? "in the past" : "in the future")} relative to now ({clock:O}); the allowed tolerance is {allowed}."));
        }

        if (!CountAndMatch(id, timestamp, signature, body, out var v1Count))
        {
            throw new WebhookVerificationException(
                WebhookVerificationFailure.NoMatchingSignature,
                v1Count == 0
                    ? "The webhook-signature header contains no 'v1,<base64>' signature."
                    : string.Create(CultureInfo.InvariantCulture, $"None of the {v1Count} v1 signature(s) in webhook-signature matches this secret, id, timestamp and body."));
        }
    }

    private static string RequireHeader(IReadOnlyDictionary<string, string> headers, string name)
    {
        if (!headers.TryGetValue(name, out var value))
        {
            // The caller's dictionary may be case-sensitive; header names are not.
            foreach (var pair in headers)
            {
                if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = pair.Value;
                    break;
                }
            }
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new WebhookVerificationException(WebhookVerificationFailure.MissingHeader, $"The {name} header is missing or empty.");
        }

        return value;
    }

    private bool CountAndMatch(string id, string timestamp, string signatureHeader, ReadOnlySpan<byte> body, out int v1Count)
    {
        Span<byte> expected = stackalloc byte[HmacSha256Length];
        using (var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key))
        {
            hmac.AppendData(Encoding.UTF8.GetBytes($"{id}.{timestamp}."));
            hmac.AppendData(body);
            hmac.GetHashAndReset(expected);
        }

        v1Count = 0;
        var matched = false;
        Span<byte> candidate = stackalloc byte[HmacSha256Length + 3];
        foreach (var range in signatureHeader.AsSpan().Split(' '))
        {
            var entry = signatureHeader.AsSpan()[range];
            if (!entry.StartsWith(SignatureVersion, StringComparison.Ordinal))
            {
                continue;
            }

            v1Count++;
            if (Convert.TryFromBase64Chars(entry[SignatureVersion.Length..], candidate, out var written)
                && written == HmacSha256Length
                && CryptographicOperations.FixedTimeEquals(candidate[..written], expected))
            {
                // Keep looping instead of returning early, so timing does not reveal which entry matched.
                matched = true;
            }
        }

        return matched;
    }
}
