namespace WebhookSender;

/// <summary>The endpoint authentication scheme of a subscription.</summary>
public enum WebhookAuthenticationScheme
{
    /// <summary>No authentication besides the signature.</summary>
    None,

    /// <summary>HTTP Basic: user name and password.</summary>
    Basic,

    /// <summary>A Bearer token in the Authorization header.</summary>
    Bearer,

    /// <summary>A key in a named header.</summary>
    Header,

    /// <summary>
    /// OAuth 2.0 client credentials: a Bearer token from the receiver's token endpoint, fetched with the client id and
    /// secret, cached until shortly before it expires and shared by concurrent deliveries.
    /// </summary>
    OAuth2,
}
