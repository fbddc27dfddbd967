using System.Net;
using System.Net.Http;

namespace WebhookSender;

/// <summary>
/// Thrown when the destination guard refuses to connect because every address the host resolved to is not public
/// (loopback, private, link-local, ...) and not allowed by <see cref="WebhookDestinationOptions"/>. No connection was
/// opened. The message names the host and its addresses, never the URL's path or query.
/// </summary>
/// <remarks>
/// <see cref="HttpClient"/> reports it wrapped in an <see cref="HttpRequestException"/>; look for it among the inner
/// exceptions. Retrying does not help until the configuration or the subscription's URL changes.
/// </remarks>
public sealed class WebhookDestinationRefusedException : HttpRequestException
{
    internal WebhookDestinationRefusedException(string host, IReadOnlyList<(IPAddress Address, AddressCategory Category)> refused, bool isProxy = false)
        : base(HttpRequestError.ConnectionError, isProxy ? CreateProxyMessage(host, refused) : CreateMessage(host, refused))
    {
        Host = host;
        IsProxy = isProxy;
        RefusedAddresses = refused.Select(entry => entry.Address).ToArray();
        Categories = refused.Select(entry => entry.Category).ToArray();
    }

    /// <summary>The host of the refused URL, as written in it (a name or an IP literal).</summary>
    public string Host { get; }

    /// <summary>
    /// Whether <see cref="Host"/> is the proxy a subscription named, not the destination: a subscription's proxy must be on
    /// a public address unless the host names it (<see cref="WebhookDestinationOptions.Proxy"/>, <see cref="WebhookDestinationOptions.AllowedProxies"/>).
    /// </summary>
    public bool IsProxy { get; }

    /// <summary>The addresses the host resolved to, all of them refused.</summary>
    public IReadOnlyList<IPAddress> RefusedAddresses { get; }

    /// <summary>The category of each address in <see cref="RefusedAddresses"/>, in the same order.</summary>
    internal IReadOnlyList<AddressCategory> Categories { get; }

    private static string CreateMessage(string host, IReadOnlyList<(IPAddress Address, AddressCategory Category)> refused)
    {
        var addresses = string.Join(", ", refused.Select(entry => entry.Address));
        var hostIsTheAddress = refused.Count == 1
            && IPAddress.TryParse(host.AsSpan().Trim("[]"), out var literal)
            && literal.Equals(refused[0].Address);
        var target = hostIsTheAddress ? host : $"{host} ({addresses})";
        var reason = refused.Count == 1
            ? $"it is {Describe(refused[0].Category)}"
            : string.Join("; ", refused.Select(entry => $"{entry.Address} is {Describe(entry.Category)}"));
        var advice = refused.Any(entry => entry.Category == AddressCategory.Loopback)
            ? "for development set WebhookOptions.Destinations.AllowLoopback = true, or add the network to WebhookOptions.Destinations.AllowedNetworks."
            : "to reach a receiver inside your own network, add its network to WebhookOptions.Destinations.AllowedNetworks.";

        return $"Refused to connect to {target}: {reason}. Webhooks may only reach public addresses; {advice}";
    }

    private static string CreateProxyMessage(string host, IReadOnlyList<(IPAddress Address, AddressCategory Category)> refused)
    {
        var reasons = string.Join("; ", refused.Select(entry => $"{entry.Address} is {Describe(entry.Category)}"));
        return $"Refused to connect to the subscription's proxy {host}: {reasons}. A subscription may name a proxy on a non-public address " +
            "only when the host names it too: add it to WebhookOptions.Destinations.AllowedProxies (or make it Destinations.Proxy).";
    }

    private static string Describe(AddressCategory category) => category switch
    {
        AddressCategory.Public => "a public address",
        AddressCategory.Loopback => "a loopback address",
        AddressCategory.Private => "a private address",
        AddressCategory.LinkLocal => "a link-local address",
        AddressCategory.UniqueLocal => "a unique-local address",
        AddressCategory.Multicast => "a multicast address",
        AddressCategory.Unspecified => "an unspecified (\"this network\") address",
        AddressCategory.CarrierGradeNat => "a carrier-grade NAT (shared) address",
        AddressCategory.Documentation => "a documentation address",
        AddressCategory.Benchmarking => "a benchmarking address",
        AddressCategory.Reserved => "a reserved address",
        AddressCategory.Broadcast => "the broadcast address",
        _ => "not a public address",
    };
}
