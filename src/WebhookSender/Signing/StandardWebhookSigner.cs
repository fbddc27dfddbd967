using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WebhookSender;

/// <summary>
/// Standard Webhooks signatures: <c>v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))</c>, where the key is the
/// base64-decoded part of <c>whsec_…</c>. Any Standard Webhooks library can verify them.
/// </summary>
internal sealed class StandardWebhookSigner : IWebhookSigner
{
    public string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, IReadOnlyList<WebhookSecret> secrets)
    {
        if (secrets.Count == 0)
        {
            throw new InvalidOperationException("A webhook needs at least one live secret to be signed; rotate or set a secret on the subscription.");
        }

        string prefix = string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp.ToUnixTimeSeconds()}.");
        int prefixLength = Encoding.UTF8.GetByteCount(prefix);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(prefixLength + body.Length);
        try
        {
            Encoding.UTF8.GetBytes(prefix, buffer);
            body.CopyTo(buffer.AsSpan(prefixLength));
            ReadOnlySpan<byte> signed = buffer.AsSpan(0, prefixLength + body.Length);

            var header = new StringBuilder(secrets.Count * 48);
            Span<byte> key = stackalloc byte[WebhookSecret.MaxKeyBytes];
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            foreach (var secret in secrets)
            {
                int keyLength = DecodeKey(secret.Value, key);
                HMACSHA256.HashData(key[..keyLength], signed, mac);
                if (header.Length > 0)
                {
                    header.Append(' ');
                }

                header.Append("v1,").Append(Convert.ToBase64String(mac));
            }

            key.Clear();
            return header.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
