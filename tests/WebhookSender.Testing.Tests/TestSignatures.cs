using System.Security.Cryptography;
using System.Text;

namespace WebhookSender.Testing.Tests;

/// <summary>Signs like a Standard Webhooks sender, written out by hand so the tests do not trust the code under test.</summary>
internal static class TestSignatures
{
    public static string Sign(string secret, string id, string timestamp, byte[] body)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signedContent = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signedContent));
    }

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
}
