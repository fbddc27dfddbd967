namespace WebhookSender;

/// <summary>
/// Copies of subscriptions safe to hand to callers: secret values replaced by <c>whsec_********</c>, private signing keys
/// by <c>whsk_********</c>, and the authentication credential, the client certificate (its key) and passwords by <c>********</c>.
/// </summary>
internal static class SubscriptionRedaction
{
    public static WebhookSubscription Redacted(this WebhookSubscription subscription) => subscription with
    {
        Secrets = [.. subscription.Secrets.Select(s => s with { Value = WebhookSecret.RedactedValue })],
        Authentication = subscription.Authentication is { } auth ? auth with { Secret = WebhookAuthentication.RedactedSecret } : null,
        SigningKeys = subscription.SigningKeys.Count == 0 ? [] : [.. subscription.SigningKeys.Select(k => k with { PrivateKey = WebhookSigningKey.RedactedPrivateKey })],
        ClientCertificate = subscription.ClientCertificate is { } certificate
            ? certificate with { Certificate = WebhookAuthentication.RedactedSecret, Password = certificate.Password is null ? null : WebhookAuthentication.RedactedSecret }
            : null,
        Proxy = subscription.Proxy is { Password: not null } proxy ? proxy with { Password = WebhookAuthentication.RedactedSecret } : subscription.Proxy,
    };
}
