namespace WebhookSender;

/// <summary>
/// The destination guard: at connect time, after DNS resolution, requests to non-public addresses (loopback, private,
/// link-local, unique-local, multicast, reserved) are refused, so subscribers cannot aim webhooks at the host's own network.
/// </summary>
public sealed class WebhookDestinationOptions
{
    /// <summary>Whether the guard is on. Default <see langword="true"/>; turn it off only when every URL is trusted.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Allow loopback addresses (127.0.0.0/8, ::1), for development and tests. Default <see langword="false"/>.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>
    /// Networks in CIDR notation (for example <c>10.20.0.0/16</c> or <c>fd00::/8</c>) that are allowed although not public,
    /// for receivers inside the host's own network.
    /// </summary>
    public IList<string> AllowedNetworks { get; } = [];
}
