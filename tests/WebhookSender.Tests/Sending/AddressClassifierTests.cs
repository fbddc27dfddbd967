using System.Net;

namespace WebhookSender.Tests.Sending;

// Classification only: nothing here opens a connection to any of these addresses.
public class AddressClassifierTests
{
    public static TheoryData<string, string> Addresses => new()
    {
        // IPv4
        { "0.0.0.0", "Unspecified" },
        { "0.1.2.3", "Unspecified" },
        { "10.0.0.1", "Private" },
        { "10.255.255.255", "Private" },
        { "172.15.255.255", "Public" },
        { "172.16.0.1", "Private" },
        { "172.31.255.254", "Private" },
        { "172.32.0.1", "Public" },
        { "192.168.1.1", "Private" },
        { "100.63.255.255", "Public" },
        { "100.64.0.1", "CarrierGradeNat" },
        { "100.127.255.254", "CarrierGradeNat" },
        { "100.128.0.1", "Public" },
        { "127.0.0.1", "Loopback" },
        { "127.255.255.254", "Loopback" },
        { "169.254.169.254", "LinkLocal" },
        { "192.0.0.8", "Reserved" },
        { "192.0.2.1", "Documentation" },
        { "198.51.100.7", "Documentation" },
        { "203.0.113.200", "Documentation" },
        { "198.17.255.255", "Public" },
        { "198.18.0.1", "Benchmarking" },
        { "198.19.255.254", "Benchmarking" },
        { "198.20.0.1", "Public" },
        { "192.88.99.1", "Reserved" },
        { "224.0.0.251", "Multicast" },
        { "239.255.255.250", "Multicast" },
        { "240.0.0.1", "Reserved" },
        { "255.255.255.254", "Reserved" },
        { "255.255.255.255", "Broadcast" },
        { "8.8.8.8", "Public" },
        { "1.1.1.1", "Public" },
        { "93.184.215.14", "Public" },

        // IPv6
        { "::", "Unspecified" },
        { "::1", "Loopback" },
        { "::2", "Reserved" },
        { "::127.0.0.1", "Reserved" }, // deprecated IPv4-compatible
        { "::8.8.8.8", "Reserved" },
        { "fc00::1", "UniqueLocal" },
        { "fd12:3456:789a::1", "UniqueLocal" },
        { "fe80::1", "LinkLocal" },
        { "fe80::1%2", "LinkLocal" },
        { "febf:ffff::1", "LinkLocal" },
        { "fec0::1", "Private" },
        { "ff02::1", "Multicast" },
        { "ff05::1:3", "Multicast" },
        { "2001:db8::1", "Documentation" },
        { "3fff::1", "Documentation" },
        { "100::1", "Reserved" },
        { "100:0:0:1::1", "Reserved" }, // past 100::/64, still outside global unicast 2000::/3
        { "2001::1", "Reserved" },
        { "2001:0:4136:e378:8000:63bf:3fff:fdd2", "Reserved" }, // Teredo
        { "2001:1ff::1", "Reserved" },
        { "2001:2::1", "Benchmarking" },
        { "2001:200::1", "Public" },
        { "2606:4700:4700::1111", "Public" },
        { "2001:4860:4860::8888", "Public" },
        { "4000::1", "Reserved" },
        { "5f00::1", "Reserved" },

        // IPv6 carrying IPv4: classified as the IPv4 address
        { "::ffff:127.0.0.1", "Loopback" },
        { "::ffff:10.1.2.3", "Private" },
        { "::ffff:169.254.169.254", "LinkLocal" },
        { "::ffff:0.0.0.0", "Unspecified" },
        { "::ffff:8.8.8.8", "Public" },
        { "64:ff9b::7f00:1", "Loopback" },
        { "64:ff9b::10.0.0.1", "Private" },
        { "64:ff9b::1.1.1.1", "Public" },
        { "64:ff9b:1::1", "Reserved" }, // local-use NAT64
        { "2002:7f00:1::", "Loopback" },
        { "2002:c0a8:101::1", "Private" },
        { "2002:a9fe:a9fe::1", "LinkLocal" },
        { "2002:808:808::1", "Public" },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Classifies_address(string address, string expected)
    {
        var category = AddressClassifier.Classify(IPAddress.Parse(address));

        Assert.Equal(Enum.Parse<AddressCategory>(expected), category);
    }

    [Theory]
    [InlineData("::ffff:192.168.1.1", "192.168.1.1")]
    [InlineData("64:ff9b::c0a8:101", "192.168.1.1")]
    [InlineData("2002:c0a8:101:1234::1", "192.168.1.1")]
    public void Extracts_embedded_IPv4(string address, string expected)
    {
        Assert.True(AddressClassifier.TryGetEmbeddedIPv4(IPAddress.Parse(address), out var ipv4));
        Assert.Equal(IPAddress.Parse(expected), ipv4);
    }

    [Theory]
    [InlineData("192.168.1.1")]
    [InlineData("2001:db8::c0a8:101")]
    [InlineData("::192.168.1.1")]
    public void Does_not_extract_IPv4_from_other_addresses(string address)
    {
        Assert.False(AddressClassifier.TryGetEmbeddedIPv4(IPAddress.Parse(address), out _));
    }
}
