using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace WebhookSender;

/// <summary>
/// Classifies IP addresses by the special-purpose block they fall in (IANA IPv4 and IPv6 special-purpose address
/// registries). Longest prefix wins, so the tables below can be read in any order.
/// </summary>
internal static class AddressClassifier
{
    private static readonly (IPNetwork Network, AddressCategory Category)[] Ipv4Table = LongestPrefixFirst(
    [
        ("0.0.0.0/0", AddressCategory.Public),
        ("0.0.0.0/8", AddressCategory.Unspecified),
        ("10.0.0.0/8", AddressCategory.Private),
        ("100.64.0.0/10", AddressCategory.CarrierGradeNat),
        ("127.0.0.0/8", AddressCategory.Loopback),
        ("169.254.0.0/16", AddressCategory.LinkLocal),
        ("172.16.0.0/12", AddressCategory.Private),
        ("192.0.0.0/24", AddressCategory.Reserved), // IETF protocol assignments
        ("192.0.2.0/24", AddressCategory.Documentation), // TEST-NET-1
        ("192.88.99.0/24", AddressCategory.Reserved), // deprecated 6to4 relay anycast
        ("192.168.0.0/16", AddressCategory.Private),
        ("198.18.0.0/15", AddressCategory.Benchmarking),
        ("198.51.100.0/24", AddressCategory.Documentation), // TEST-NET-2
        ("203.0.113.0/24", AddressCategory.Documentation), // TEST-NET-3
        ("224.0.0.0/4", AddressCategory.Multicast),
        ("240.0.0.0/4", AddressCategory.Reserved),
        ("255.255.255.255/32", AddressCategory.Broadcast),
    ]);

    private static readonly (IPNetwork Network, AddressCategory Category)[] Ipv6Table = LongestPrefixFirst(
    [
        // Only 2000::/3 is allocated for global unicast; anything else that is not listed is unassigned or special.
        ("::/0", AddressCategory.Reserved),
        ("2000::/3", AddressCategory.Public),
        ("::/128", AddressCategory.Unspecified),
        ("::1/128", AddressCategory.Loopback),
        ("::/96", AddressCategory.Reserved), // deprecated IPv4-compatible addresses
        ("64:ff9b:1::/48", AddressCategory.Reserved), // local-use NAT64: the translator is inside someone's network
        ("100::/64", AddressCategory.Reserved), // discard-only
        ("2001::/23", AddressCategory.Reserved), // IETF protocol assignments, including Teredo 2001::/32
        ("2001:2::/48", AddressCategory.Benchmarking),
        ("2001:db8::/32", AddressCategory.Documentation),
        ("3fff::/20", AddressCategory.Documentation),
        ("fc00::/7", AddressCategory.UniqueLocal),
        ("fe80::/10", AddressCategory.LinkLocal),
        ("fec0::/10", AddressCategory.Private), // deprecated site-local, the old IPv6 counterpart of RFC 1918
        ("ff00::/8", AddressCategory.Multicast),
    ]);

    // IPv6 prefixes that carry an IPv4 address, and the byte where it starts. Such an address reaches the embedded IPv4
    // address through a translator or tunnel, so it is classified as that address. IPv4-mapped addresses (::ffff:0:0/96)
    // are handled apart: IPNetwork.Contains compares them as IPv4 addresses, even against an IPv6 network.
    private static readonly (IPNetwork Network, int Offset)[] EmbeddedIpv4 =
    [
        (IPNetwork.Parse("64:ff9b::/96"), 12), // well-known NAT64 prefix
        (IPNetwork.Parse("2002::/16"), 2), // 6to4
    ];

    /// <summary>Classifies <paramref name="address"/>; addresses that embed an IPv4 address are classified by it.</summary>
    public static AddressCategory Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => Lookup(Ipv4Table, address),
            AddressFamily.InterNetworkV6 when TryGetEmbeddedIPv4(address, out var ipv4) => Lookup(Ipv4Table, ipv4),
            AddressFamily.InterNetworkV6 => Lookup(Ipv6Table, address),
            _ => AddressCategory.Reserved,
        };
    }

    /// <summary>Extracts the IPv4 address carried by an IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address.</summary>
    public static bool TryGetEmbeddedIPv4(IPAddress address, [NotNullWhen(true)] out IPAddress? ipv4)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            ipv4 = address.MapToIPv4();
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            foreach (var (network, offset) in EmbeddedIpv4)
            {
                if (network.Contains(address))
                {
                    Span<byte> bytes = stackalloc byte[16];
                    address.TryWriteBytes(bytes, out _);
                    ipv4 = new IPAddress(bytes.Slice(offset, 4));
                    return true;
                }
            }
        }

        ipv4 = null;
        return false;
    }

    private static AddressCategory Lookup((IPNetwork Network, AddressCategory Category)[] table, IPAddress address)
    {
        foreach (var (network, category) in table)
        {
            if (network.Contains(address))
            {
                return category;
            }
        }

        // Unreachable: each table starts from a /0 entry.
        return AddressCategory.Reserved;
    }

    private static (IPNetwork Network, AddressCategory Category)[] LongestPrefixFirst(
        (string Cidr, AddressCategory Category)[] entries) =>
        entries
            .Select(entry => (Network: IPNetwork.Parse(entry.Cidr), entry.Category))
            .OrderByDescending(entry => entry.Network.PrefixLength)
            .ToArray();
}
