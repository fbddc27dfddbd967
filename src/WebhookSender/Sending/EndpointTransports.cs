using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Each subscription's <see cref="EndpointTransport"/>, worked out once per subscription instance (they are immutable and
/// the dispatcher reuses one for many deliveries), not per attempt.
/// </summary>
internal sealed class EndpointTransports(IOptions<WebhookOptions> options)
{
    private readonly ConditionalWeakTable<WebhookSubscription, EndpointTransport> _transports = new();
    private EndpointTransport? _hostDefault;

    /// <summary>The host's default transport. Options do not change after start-up.</summary>
    public EndpointTransport HostDefault => _hostDefault ??= EndpointTransport.HostDefault(options.Value.Destinations);

    /// <summary>The transport requests to <paramref name="subscription"/> travel by.</summary>
    public EndpointTransport For(WebhookSubscription subscription) =>
        _transports.GetValue(subscription, s => EndpointTransport.For(s, HostDefault, options.Value.Destinations));
}
