using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Which values of a subscription are credentials, and how they are kept out of everything shown: header values in the
/// attempt log, static headers in read APIs and notifications, and whatever a receiver echoes back in its response.
/// </summary>
/// <remarks>
/// The credentials are the authentication secret (and, for Basic, the base64 <c>user:password</c> sent), the values of
/// static headers named in <see cref="WebhookOptions.RedactedHeaders"/>, and the signing secrets (with and without their
/// <c>whsec_</c> prefix).
/// </remarks>
internal sealed class CredentialRedaction(IOptions<WebhookOptions> options)
{
    /// <summary>What a credential is replaced by in the attempt log.</summary>
    public const string Marker = "[redacted]";

    private static readonly string[] AlwaysRedacted = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"];

    // Subscriptions are immutable and the dispatcher reuses one instance for many deliveries (SubscriptionCache): their
    // credentials are worked out once per instance, not per attempt.
    private readonly ConditionalWeakTable<WebhookSubscription, string[]> _credentials = new();
    private HashSet<string>? _headerNames;

    /// <summary>Header names whose values are never shown: the fixed ones and those the host configured. Options do not change after start-up.</summary>
    public HashSet<string> HeaderNames => _headerNames ??= new HashSet<string>(AlwaysRedacted.Concat(options.Value.RedactedHeaders), StringComparer.OrdinalIgnoreCase);

    /// <summary>The header names redacted in this subscription's attempts: <see cref="HeaderNames"/> plus its key header.</summary>
    public HashSet<string> HeaderNamesFor(WebhookSubscription subscription)
    {
        var common = HeaderNames;
        if (subscription.Authentication is { Scheme: WebhookAuthenticationScheme.Header, HeaderName: { } name } && !common.Contains(name))
        {
            return new HashSet<string>(common, StringComparer.OrdinalIgnoreCase) { name };
        }

        return common;
    }

    /// <summary>
    /// A copy safe to hand to callers: signing secrets, the authentication credential and the values of static headers
    /// named in <see cref="WebhookOptions.RedactedHeaders"/> replaced by <c>********</c>.
    /// </summary>
    public WebhookSubscription Redact(WebhookSubscription subscription)
    {
        var redacted = subscription.Redacted();
        var names = HeaderNames;
        if (!subscription.Headers.Keys.Any(names.Contains))
        {
            return redacted;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in subscription.Headers)
        {
            headers[name] = names.Contains(name) ? WebhookAuthentication.RedactedSecret : value;
        }

        return redacted with { Headers = headers };
    }

    /// <summary>
    /// The headers to store for the <paramref name="requested"/> ones: a header named in <see cref="HeaderNames"/> and sent
    /// back as <c>********</c> (as a read API hands it out) keeps the value <paramref name="current"/> has.
    /// </summary>
    public IReadOnlyDictionary<string, string>? KeepRedactedHeaders(IReadOnlyDictionary<string, string>? requested, WebhookSubscription current)
    {
        if (requested is null || !requested.Any(h => h.Value == WebhookAuthentication.RedactedSecret && HeaderNames.Contains(h.Key)))
        {
            return requested;
        }

        var kept = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in requested)
        {
            kept[name] = value == WebhookAuthentication.RedactedSecret && HeaderNames.Contains(name) && current.Headers.TryGetValue(name, out var stored) ? stored : value;
        }

        return kept;
    }

    /// <summary>
    /// The certificate to store for the <paramref name="requested"/> one: sent back as a read API hands it out
    /// (<c>********</c>), it means the <paramref name="current"/> one, with its password.
    /// </summary>
    public static WebhookClientCertificate? KeepRedacted(WebhookClientCertificate? requested, WebhookClientCertificate? current) => requested switch
    {
        { Certificate: WebhookAuthentication.RedactedSecret } when current is not null => current,
        { Password: WebhookAuthentication.RedactedSecret } when current is not null => requested with { Password = current.Password },
        _ => requested,
    };

    /// <summary>The proxy to store for the <paramref name="requested"/> one: a password sent back as <c>********</c> keeps the <paramref name="current"/> one.</summary>
    public static WebhookProxy? KeepRedacted(WebhookProxy? requested, WebhookProxy? current) =>
        requested is { Password: WebhookAuthentication.RedactedSecret } && current is not null ? requested with { Password = current.Password } : requested;

    /// <summary>The subscription's credential values, longest first (so a value containing another is replaced whole).</summary>
    public string[] CredentialsOf(WebhookSubscription subscription) => _credentials.GetValue(subscription, Collect);

    /// <summary>
    /// <paramref name="text"/> with every credential replaced by <see cref="Marker"/>: receivers that echo the request
    /// back would otherwise put the password or token into the attempt log and the notifications.
    /// </summary>
    public static string Scrub(string text, string[] credentials)
    {
        if (text.Length == 0)
        {
            return text;
        }

        foreach (string credential in credentials)
        {
            if (text.Contains(credential, StringComparison.Ordinal))
            {
                text = text.Replace(credential, Marker, StringComparison.Ordinal);
            }
        }

        return text;
    }

    private string[] Collect(WebhookSubscription subscription)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        if (subscription.Authentication is { Secret: { Length: > 0 } secret } auth)
        {
            values.Add(secret);
            if (auth.Scheme == WebhookAuthenticationScheme.Basic)
            {
                values.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{secret}")));
            }
        }

        if (subscription.ClientCertificate?.Password is { Length: > 0 } certificatePassword)
        {
            values.Add(certificatePassword);
        }

        if (subscription.Proxy?.Password is { Length: > 0 } proxyPassword)
        {
            values.Add(proxyPassword);
            values.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{subscription.Proxy.Username}:{proxyPassword}")));
        }

        foreach (var (name, value) in subscription.Headers)
        {
            if (value.Length > 0 && HeaderNames.Contains(name))
            {
                values.Add(value);
            }
        }

        foreach (var signing in subscription.Secrets)
        {
            if (signing.Value.Length > 0)
            {
                values.Add(signing.Value);
            }

            if (signing.Value.StartsWith(WebhookSecret.Prefix, StringComparison.Ordinal) && signing.Value.Length > WebhookSecret.Prefix.Length)
            {
                values.Add(signing.Value[WebhookSecret.Prefix.Length..]);
            }
        }

        return [.. values.OrderByDescending(v => v.Length)];
    }
}
