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
}
