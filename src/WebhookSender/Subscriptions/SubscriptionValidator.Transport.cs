using System.Security.Cryptography;

namespace WebhookSender;

/// <summary>The client certificate, trusted roots and proxy: how requests reach the receiver.</summary>
internal sealed partial class SubscriptionValidator
{
    public const int MaxCertificateLength = 64 * 1024;
    public const int MaxTrustedRoots = 10;
    public const int MaxTrustedRootLength = 16 * 1024;

    private void ValidateTransport(WebhookSubscriptionRequest request, Action<string, string> add)
    {
        bool https = request.Url is { IsAbsoluteUri: true, Scheme: "https" };
        if (request.ClientCertificate is { } certificate)
        {
            if (!https)
            {
                add(nameof(request.ClientCertificate), "A client certificate is presented in the TLS handshake, so it needs an https URL.");
            }

            ValidateClientCertificate(certificate, add);
        }

        if (request.TrustedRoots is { } roots)
        {
            if (!https && roots.Count > 0)
            {
                add(nameof(request.TrustedRoots), "Trusted roots check the endpoint's TLS certificate, so they need an https URL.");
            }

            ValidateTrustedRoots(roots, add);
        }

        if (request.Proxy is { } proxy && ProxyProblem(proxy) is { } problem)
        {
            add(nameof(request.Proxy), problem);
        }
    }

    private void ValidateClientCertificate(WebhookClientCertificate certificate, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.ClientCertificate);
        if (certificate.Certificate == WebhookAuthentication.RedactedSecret)
        {
            return; // "keep the stored one", as a read API hands it out; the manager refuses it when there is none
        }

        if (string.IsNullOrWhiteSpace(certificate.Certificate) || certificate.Certificate.Length > MaxCertificateLength)
        {
            add(field, $"Give the certificate with its private key, as PEM text or base64 of a PKCS#12 (.pfx) file, at most {MaxCertificateLength / 1024} KiB.");
            return;
        }

        try
        {
            var (leaf, others) = TlsCertificates.LoadClientCertificate(certificate);
            using (leaf)
            {
                if (TlsCertificates.ClientCertificateProblem(leaf, timeProvider.GetUtcNow()) is { } problem)
                {
                    add(field, problem);
                }
            }

            foreach (var other in others)
            {
                other.Dispose();
            }
        }
        catch (CryptographicException ex)
        {
            // The loader's words name what is wrong (a wrong password, no key); they never carry the password or key.
            add(field, $"The client certificate cannot be read: {ex.Message.TrimEnd('.')}. Give PEM text (the certificate, then its private key) or base64 of a PKCS#12 file, and its password if it has one.");
        }
    }

    private static void ValidateTrustedRoots(IReadOnlyList<string> roots, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.TrustedRoots);
        if (roots.Count > MaxTrustedRoots)
        {
            add(field, $"There are {roots.Count} trusted roots; at most {MaxTrustedRoots} are allowed.");
            return;
        }

        for (int i = 0; i < roots.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(roots[i]) || roots[i].Length > MaxTrustedRootLength)
            {
                add(field, $"Trusted root {i + 1} must be one PEM certificate (-----BEGIN CERTIFICATE-----) of at most {MaxTrustedRootLength / 1024} KiB.");
                continue;
            }

            try
            {
                TlsCertificates.LoadRoot(roots[i]).Dispose();
            }
            catch (CryptographicException ex)
            {
                add(field, $"Trusted root {i + 1} is not a PEM certificate: {ex.Message.TrimEnd('.')}. Give the certificate of the authority that issued the endpoint's certificate, as -----BEGIN CERTIFICATE----- text.");
            }
        }
    }

    /// <summary>What is wrong with a proxy setting, or <see langword="null"/>; shared with the options validator.</summary>
    public static string? ProxyProblem(WebhookProxy proxy)
    {
        if (proxy.Url is null)
        {
            return proxy.Username is null && proxy.Password is null
                ? null
                : "A direct connection (no proxy URL) takes no proxy credentials; give the proxy's URL or remove them.";
        }

        var url = proxy.Url;
        if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttp || string.IsNullOrEmpty(url.Host) || url.Port == 0
            || url.UserInfo.Length > 0 || url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            // Never echo the URL: its user info would be a credential.
            return url.IsAbsoluteUri && url.Scheme == Uri.UriSchemeHttps
                ? "The proxy URL must be http://host:port: WebhookSender talks plain HTTP to the proxy, and https requests stay encrypted end to end inside the CONNECT tunnel."
                : "The proxy URL must be http://host:port, without a path, query or credentials (give those as Username and Password), for example http://proxy.example.com:3128.";
        }

        if (proxy.Username is { } username && (username.Length is 0 or > MaxHeaderValueLength || username.Contains(':') || HasControlChars(username)))
        {
            return "The proxy user name must be 1 to 2048 characters without ':' or control characters.";
        }

        if (proxy.Password is { } password && (proxy.Username is null || password.Length > MaxHeaderValueLength || HasControlChars(password)))
        {
            return "A proxy password needs a Username, and must be at most 2048 characters without control characters.";
        }

        return null;
    }
}
