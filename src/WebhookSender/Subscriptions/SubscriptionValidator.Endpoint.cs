namespace WebhookSender;

/// <summary>Authentication and custom headers: what reaches the receiver besides the body.</summary>
internal sealed partial class SubscriptionValidator
{
    private static void ValidateAuthentication(WebhookAuthentication? auth, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.Authentication);
        switch (auth?.Scheme)
        {
            case null or WebhookAuthenticationScheme.None:
                return;
            case WebhookAuthenticationScheme.Basic:
                if (string.IsNullOrEmpty(auth.Username) || auth.Username.Contains(':') || HasControlChars(auth.Username))
                {
                    add(field, "Basic authentication needs a user name without ':' or control characters.");
                }

                break;
            case WebhookAuthenticationScheme.Bearer:
                if (auth.Secret is not null && auth.Secret.Any(char.IsWhiteSpace))
                {
                    add(field, "A Bearer token cannot contain spaces or line breaks.");
                }

                RequireHeaderText(auth.Secret, "A Bearer token", add);
                break;
            case WebhookAuthenticationScheme.Header:
                if (!IsHeaderName(auth.HeaderName))
                {
                    add(field, "Header authentication needs a header name of letters, digits and '-' (for example X-Api-Key).");
                }
                else if (IsReservedHeader(auth.HeaderName!) && !string.Equals(auth.HeaderName, "Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    add(field, $"The header '{auth.HeaderName}' is set by WebhookSender and cannot carry a key; choose another name such as X-Api-Key.");
                }

                RequireHeaderText(auth.Secret, "The key of header authentication", add);
                break;
            case WebhookAuthenticationScheme.OAuth2:
                ValidateOAuth2(auth, add);
                break;
            default:
                add(field, $"The authentication scheme '{auth.Scheme}' is not supported; use Basic, Bearer, Header or OAuth2.");
                return;
        }

        // Never echo the credential itself.
        if (string.IsNullOrEmpty(auth.Secret) || auth.Secret.Length > MaxHeaderValueLength || HasControlChars(auth.Secret))
        {
            add(field, $"The {auth.Scheme} credential must be 1 to {MaxHeaderValueLength} characters without line breaks or control characters.");
        }

        static void ValidateOAuth2(WebhookAuthentication auth, Action<string, string> add)
        {
            if (auth.TokenUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.UserInfo.Length > 0 || url.Fragment.Length > 0)
            {
                add(field, "OAuth2 needs the absolute https URL of the receiver's token endpoint, without credentials or fragment (for example https://auth.example.com/oauth/token).");
            }

            if (string.IsNullOrEmpty(auth.Username) || auth.Username.Contains(':') || HasControlChars(auth.Username) || auth.Username.Length > MaxHeaderValueLength)
            {
                add(field, "OAuth2 needs a client id (in Username) without ':' or control characters.");
            }

            if (auth.Scopes is { } scopes && (scopes.Count > MaxHeaders || scopes.Any(s => string.IsNullOrEmpty(s) || s.Any(c => c <= ' ' || c > '~' || c is '"' or '\\'))))
            {
                add(field, $"OAuth2 scopes are at most {MaxHeaders} words of printable ASCII without spaces, quotes or backslashes, for example orders:write.");
            }

            if (auth.Audience is { } audience && (audience.Length is 0 or > MaxHeaderValueLength || HasControlChars(audience)))
            {
                add(field, $"An OAuth2 audience is 1 to {MaxHeaderValueLength} characters without control characters; leave it null when the token server does not ask for one.");
            }
        }

        // Basic credentials travel base64-encoded (UTF-8), so any text works; the others are sent as they are.
        static void RequireHeaderText(string? credential, string what, Action<string, string> add)
        {
            if (!string.IsNullOrEmpty(credential) && !HasControlChars(credential) && !IsHeaderText(credential))
            {
                add(field, $"{what} must be printable ASCII: an HTTP header cannot carry characters such as 'é' or '€'. Use the key exactly as the receiver issued it, or Basic authentication for other text.");
            }
        }
    }

    private static void ValidateHeaders(IReadOnlyDictionary<string, string>? headers, Action<string, string> add)
    {
        const string field = nameof(WebhookSubscriptionRequest.Headers);
        if (headers is null)
        {
            return;
        }

        if (headers.Count > MaxHeaders)
        {
            add(field, $"There are {headers.Count} custom headers; at most {MaxHeaders} are allowed.");
        }

        foreach (var (name, value) in headers)
        {
            if (!IsHeaderName(name))
            {
                add(field, $"'{name}' is not a valid header name; use letters, digits and '-'.");
            }
            else if (IsReservedHeader(name))
            {
                add(field, $"The header '{name}' is set by WebhookSender; use Authentication for credentials, or choose another name.");
            }

            if (value is null || value.Length > MaxHeaderValueLength || HasControlChars(value))
            {
                add(field, $"The value of header '{name}' must be at most {MaxHeaderValueLength} characters without line breaks or control characters.");
            }
            else if (!IsHeaderText(value))
            {
                add(field, $"The value of header '{name}' must be printable ASCII: an HTTP header cannot carry characters such as 'é' or '€'. Percent-encode or base64-encode other text.");
            }
        }
    }

    /// <summary>
    /// Whether a header value can be sent as it is: printable ASCII and spaces only. The HTTP client refuses anything else
    /// at send time ("Request headers must contain only ASCII characters"), which would fail every attempt.
    /// </summary>
    public static bool IsHeaderText(string value)
    {
        foreach (char c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHeaderName(string? name) => !string.IsNullOrEmpty(name) && name.Length <= 100 && HeaderName().IsMatch(name);

    private static bool IsReservedHeader(string name) =>
        ReservedHeaders.Contains(name) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("content-", StringComparison.OrdinalIgnoreCase);

    private static bool HasControlChars(string value) => value.Any(char.IsControl);

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "User-Agent", "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Expect", "TE", "Trailer", "Proxy-Authorization", "Cookie",
    };

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial System.Text.RegularExpressions.Regex HeaderName();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[^.\s]+(\.[^.\s]+)*$")]
    private static partial System.Text.RegularExpressions.Regex FieldPath();
}
