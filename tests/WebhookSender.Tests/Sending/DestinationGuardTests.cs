using System.Net;

namespace WebhookSender.Tests.Sending;

// Decisions only: nothing here opens a connection.
public class DestinationGuardTests
{
    private static DestinationGuard Guard(bool allowLoopback = false, bool enabled = true, string[]? allowedNetworks = null)
    {
        var options = new WebhookDestinationOptions { Enabled = enabled, AllowLoopback = allowLoopback };
        foreach (var network in allowedNetworks ?? [])
        {
            options.AllowedNetworks.Add(network);
        }

        return new DestinationGuard(options);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Allows_public_addresses_by_default(string address)
    {
        Assert.True(Guard().IsAllowed(IPAddress.Parse(address), out var category));
        Assert.Equal(AddressCategory.Public, category);
    }

    [Theory]
    [InlineData("127.0.0.1", "Loopback")]
    [InlineData("::1", "Loopback")]
    [InlineData("::ffff:127.0.0.1", "Loopback")]
    [InlineData("10.0.0.1", "Private")]
    [InlineData("169.254.169.254", "LinkLocal")]
    [InlineData("fd00::1", "UniqueLocal")]
    [InlineData("0.0.0.0", "Unspecified")]
    [InlineData("::", "Unspecified")]
    [InlineData("64:ff9b::a9fe:a9fe", "LinkLocal")]
    public void Refuses_non_public_addresses_by_default(string address, string expected)
    {
        Assert.False(Guard().IsAllowed(IPAddress.Parse(address), out var category));
        Assert.Equal(Enum.Parse<AddressCategory>(expected), category);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void AllowLoopback_allows_loopback(string address)
    {
        Assert.False(Guard(allowLoopback: false).IsAllowed(IPAddress.Parse(address), out _));
        Assert.True(Guard(allowLoopback: true).IsAllowed(IPAddress.Parse(address), out var category));
        Assert.Equal(AddressCategory.Loopback, category);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("fd00::1")]
    public void AllowLoopback_allows_nothing_else(string address)
    {
        Assert.False(Guard(allowLoopback: true).IsAllowed(IPAddress.Parse(address), out _));
    }

    [Theory]
    [InlineData("10.20.1.1", true)]
    [InlineData("10.20.255.255", true)]
    [InlineData("::ffff:10.20.1.1", true)]
    [InlineData("10.21.0.1", false)]
    [InlineData("10.19.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("127.0.0.1", false)]
    public void AllowedNetworks_allow_addresses_inside_them(string address, bool allowed)
    {
        var guard = Guard(allowedNetworks: ["10.20.0.0/16"]);

        Assert.Equal(allowed, guard.IsAllowed(IPAddress.Parse(address), out _));
    }

    [Theory]
    [InlineData("fd00::1", true)]
    [InlineData("fdff:ffff::1", true)]
    [InlineData("fc00::1", false)]
    [InlineData("fe80::1", false)]
    public void AllowedNetworks_work_for_IPv6(string address, bool allowed)
    {
        var guard = Guard(allowedNetworks: ["fd00::/8"]);

        Assert.Equal(allowed, guard.IsAllowed(IPAddress.Parse(address), out _));
    }

    [Fact]
    public void An_IPv4_mapped_allowed_network_is_compared_as_IPv4()
    {
        var guard = Guard(allowedNetworks: ["::ffff:10.20.0.0/112"]);

        Assert.True(guard.IsAllowed(IPAddress.Parse("10.20.1.1"), out _));
        Assert.True(guard.IsAllowed(IPAddress.Parse("::ffff:10.20.1.1"), out _));
        Assert.False(guard.IsAllowed(IPAddress.Parse("10.21.0.1"), out _));
    }

    [Theory]
    [InlineData("127.0.0.1", "Loopback")]
    [InlineData("169.254.169.254", "LinkLocal")]
    [InlineData("10.0.0.1", "Private")]
    [InlineData("ff02::1", "Multicast")]
    public void Disabled_guard_allows_everything_and_still_reports_the_category(string address, string expected)
    {
        Assert.True(Guard(enabled: false).IsAllowed(IPAddress.Parse(address), out var category));
        Assert.Equal(Enum.Parse<AddressCategory>(expected), category);
    }

    [Theory]
    [InlineData("10.20.0.0")] // no prefix length
    [InlineData("10.20.1.0/16")] // bits set after the prefix
    [InlineData("10.0.0.0/33")]
    [InlineData("fd00::/129")]
    [InlineData("intranet.example")]
    [InlineData("")]
    public void Invalid_allowed_network_fails_with_a_message_that_says_what_to_write(string entry)
    {
        Assert.False(DestinationGuard.TryParseNetwork(entry, out _));

        var options = new WebhookDestinationOptions { AllowedNetworks = { "10.20.0.0/16", entry } };
        var exception = Assert.Throws<ArgumentException>(() => new DestinationGuard(options));

        Assert.Contains($"'{entry}'", exception.Message);
        Assert.Contains("AllowedNetworks", exception.Message);
        Assert.Contains("CIDR", exception.Message);
        Assert.Contains("10.20.0.0/16", exception.Message);
        Assert.Throws<ArgumentException>(() => DestinationGuard.CreateHandler(options));
    }

    [Fact]
    public void Null_allowed_network_is_invalid()
    {
        Assert.False(DestinationGuard.TryParseNetwork(null, out _));
        Assert.Contains("(null)", DestinationGuard.InvalidNetworkMessage(null));
    }

    [Theory]
    [InlineData("10.20.0.0/16", "10.20.0.0", 16)]
    [InlineData(" 192.168.1.10/32 ", "192.168.1.10", 32)]
    [InlineData("fd00::/8", "fd00::", 8)]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0", 8)]
    public void Valid_allowed_networks_parse(string entry, string baseAddress, int prefixLength)
    {
        Assert.True(DestinationGuard.TryParseNetwork(entry, out var network));
        Assert.Equal(IPAddress.Parse(baseAddress), network.BaseAddress);
        Assert.Equal(prefixLength, network.PrefixLength);
    }

    [Fact]
    public void Handler_does_not_redirect_keep_cookies_use_a_proxy_or_decompress()
    {
        using var handler = DestinationGuard.CreateHandler(new WebhookDestinationOptions());

        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseCookies);
        Assert.False(handler.UseProxy);
        Assert.Equal(DecompressionMethods.None, handler.AutomaticDecompression);
        Assert.Equal(TimeSpan.FromMinutes(5), handler.PooledConnectionLifetime);
        Assert.NotNull(handler.ConnectCallback);
    }

    [Fact]
    public void Handler_of_a_disabled_guard_connects_directly()
    {
        using var handler = DestinationGuard.CreateHandler(new WebhookDestinationOptions { Enabled = false });

        Assert.Null(handler.ConnectCallback);
        Assert.False(handler.UseProxy);
        Assert.False(handler.AllowAutoRedirect);
    }

    [Fact]
    public void Only_allowed_addresses_are_kept_in_order()
    {
        var guard = Guard(allowLoopback: true);

        var allowed = guard.SelectAllowed(
            "hooks.example.com",
            [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("::ffff:127.0.0.1"), IPAddress.Parse("169.254.169.254"), IPAddress.Parse("::1")]);

        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], allowed);
    }

    [Fact]
    public void No_allowed_address_refuses_with_every_address_and_category()
    {
        var exception = Assert.Throws<WebhookDestinationRefusedException>(() => Guard().SelectAllowed(
            "hooks.example.com", [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("::1")]));

        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.IPv6Loopback], exception.RefusedAddresses);
        Assert.Equal([AddressCategory.Private, AddressCategory.Loopback], exception.Categories);
        Assert.Contains("10.0.0.1 is a private address; ::1 is a loopback address", exception.Message);
        Assert.Contains("AllowLoopback = true", exception.Message);
    }

    [Fact]
    public void A_host_without_addresses_is_not_found_rather_than_refused()
    {
        var exception = Assert.Throws<System.Net.Sockets.SocketException>(() => Guard().SelectAllowed("hooks.example.com", []));

        Assert.Equal(System.Net.Sockets.SocketError.HostNotFound, exception.SocketErrorCode);
    }

    [Fact]
    public void Refusal_message_names_each_address_and_its_category()
    {
        var exception = new WebhookDestinationRefusedException(
            "hooks.example.com",
            [(IPAddress.Parse("10.0.0.1"), AddressCategory.Private), (IPAddress.Parse("169.254.169.254"), AddressCategory.LinkLocal)]);

        Assert.Equal(
            "Refused to connect to hooks.example.com (10.0.0.1, 169.254.169.254): 10.0.0.1 is a private address; " +
            "169.254.169.254 is a link-local address. Webhooks may only reach public addresses; to reach a receiver " +
            "inside your own network, add its network to WebhookOptions.Destinations.AllowedNetworks.",
            exception.Message);
        Assert.Equal("hooks.example.com", exception.Host);
        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("169.254.169.254")], exception.RefusedAddresses);
        Assert.Equal(HttpRequestError.ConnectionError, exception.HttpRequestError);
    }

    [Fact]
    public void Refusal_message_for_loopback_tells_how_to_allow_it()
    {
        var exception = new WebhookDestinationRefusedException(
            "hooks.example.com", [(IPAddress.Loopback, AddressCategory.Loopback)]);

        Assert.Equal(
            "Refused to connect to hooks.example.com (127.0.0.1): it is a loopback address. Webhooks may only reach public " +
            "addresses; for development set WebhookOptions.Destinations.AllowLoopback = true, or add the network to " +
            "WebhookOptions.Destinations.AllowedNetworks.",
            exception.Message);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("[::1]", "::1")]
    public void Refusal_message_does_not_repeat_an_IP_literal_host(string host, string address)
    {
        var exception = new WebhookDestinationRefusedException(host, [(IPAddress.Parse(address), AddressCategory.Loopback)]);

        Assert.StartsWith($"Refused to connect to {host}: it is a loopback address.", exception.Message);
    }
}
