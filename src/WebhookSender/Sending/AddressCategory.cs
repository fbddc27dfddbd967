namespace WebhookSender;

/// <summary>What kind of network an IP address belongs to, as far as the destination guard is concerned.</summary>
internal enum AddressCategory
{
    /// <summary>Globally reachable unicast: the only category webhooks may reach by default.</summary>
    Public,

    /// <summary>127.0.0.0/8, ::1: the sending host itself.</summary>
    Loopback,

    /// <summary>RFC 1918 (10/8, 172.16/12, 192.168/16) and the deprecated IPv6 site-local fec0::/10.</summary>
    Private,

    /// <summary>169.254.0.0/16 (including cloud metadata endpoints such as 169.254.169.254), fe80::/10.</summary>
    LinkLocal,

    /// <summary>fc00::/7, the IPv6 counterpart of private networks.</summary>
    UniqueLocal,

    /// <summary>224.0.0.0/4, ff00::/8.</summary>
    Multicast,

    /// <summary>0.0.0.0/8 ("this network", which reaches the local host on many systems), ::.</summary>
    Unspecified,

    /// <summary>100.64.0.0/10, shared address space between a carrier's NAT and its customers (RFC 6598).</summary>
    CarrierGradeNat,

    /// <summary>192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20: examples only, never routed.</summary>
    Documentation,

    /// <summary>198.18.0.0/15, 2001:2::/48: for benchmarking network devices, never routed.</summary>
    Benchmarking,

    /// <summary>Reserved or special-purpose blocks that no public receiver uses (240/4, 192.0.0/24, 2001::/23, IPv6 outside 2000::/3, ...).</summary>
    Reserved,

    /// <summary>255.255.255.255, limited broadcast.</summary>
    Broadcast,
}
