using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WebhookSender;

/// <summary>
/// Standard Webhooks signatures: <c>v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))</c>, where the key is the
/// base64-decoded part of <c>whsec_…</c>, and <c>v1a,base64(Ed25519(private key, "{id}.{timestamp}.{body}"))</c> with
/// NSec (libsodium). Any Standard Webhooks library can verify them.
/// </summary>
internal sealed class StandardWebhookSigner : IWebhookSigner
{
    public string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, IReadOnlyList<WebhookSecret> secrets) =>
        Sign(messageId, timestamp, body, secrets, []);

    public string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, IReadOnlyList<WebhookSecret> secrets, IReadOnlyList<WebhookSigningKey> signingKeys)
    {
        if (secrets.Count == 0 && signingKeys.Count == 0)
        {
            throw new InvalidOperationException("A webhook needs at least one live secret (or signing key, for v1a) to be signed; rotate or set one on the subscription.");
        }

        string prefix = string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp.ToUnixTimeSeconds()}.");
        int prefixLength = Encoding.UTF8.GetByteCount(prefix);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(prefixLength + body.Length);
        try
        {
            Encoding.UTF8.GetBytes(prefix, buffer);
            body.CopyTo(buffer.AsSpan(prefixLength));
            ReadOnlySpan<byte> signed = buffer.AsSpan(0, prefixLength + body.Length);
            var header = new StringBuilder((secrets.Count * 48) + (signingKeys.Count * 94));
            Span<byte> key = stackalloc byte[WebhookSecret.MaxKeyBytes];
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            foreach (var secret in secrets)
            {
                int keyLength = DecodeKey(secret.Value, key);
                HMACSHA256.HashData(key[..keyLength], signed, mac);
                Append(header, "v1,", mac);
            }

            key.Clear();

            // v1a: Ed25519 over the same bytes (Standard Webhooks' asymmetric scheme).
            foreach (var signingKey in signingKeys)
            {
                Append(header, "v1a,", signingKey.Sign(signed));
            }

            return header.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Append(StringBuilder header, string scheme, ReadOnlySpan<byte> signature)
    {
        if (header.Length > 0)
        {
            header.Append(' ');
        }

        header.Append(scheme).Append(Convert.ToBase64String(signature));
    }

    private static int DecodeKey(string secret, Span<byte> key)
    {
        // Secrets are validated before they are stored; a malformed one here means the store was edited by hand.
        if (!secret.StartsWith(WebhookSecret.Prefix, StringComparison.Ordinal)
            || !Convert.TryFromBase64Chars(secret.AsSpan(WebhookSecret.Prefix.Length), key, out int written)
            || written < WebhookSecret.MinKeyBytes)
        {
            throw new InvalidOperationException("A stored signing secret is malformed (expected whsec_ and base64 of 24 to 64 bytes); rotate the subscription's secret.");
        }

        return written;
    }
}
