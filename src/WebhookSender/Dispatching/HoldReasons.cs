using System.Globalization;

namespace WebhookSender;

/// <summary>
/// What the delivery log says (<see cref="WebhookDelivery.HoldReason"/>) about a delivery put back in the queue without an
/// attempt. Sentences for the people reading the log; telemetry tags them with the short codes of <see cref="Admission"/>.
/// </summary>
internal static class HoldReasons
{
    public const string ProbationFull =
        "The endpoint is on probation (new to this process, or failing) and every probation slot is taken; it waits its turn.";

    public const string Ordered =
        "The subscription gets its messages in order: this one waits until the earlier ones have succeeded or failed for good.";

    public static string CircuitOpen(int failures, DateTimeOffset until) => string.Create(
        CultureInfo.InvariantCulture, $"The endpoint's circuit is open after {failures} failed attempts in a row; it is tried again at {until:u}.");

    public static string EndpointBusy(int inFlight) => string.Create(
        CultureInfo.InvariantCulture, $"The endpoint has {inFlight} attempts in flight, its concurrency limit; it waits its turn.");

    public const string BecamePull = "The subscription became a pull subscription (no URL); the delivery moves to its feed for the reader.";

    public const string LimitsUnknown = "The rate limit or quota could not be counted in the store; it waits a second instead of going past it.";

    /// <summary>What every quota hold begins with: how the stores find the deliveries a raised quota releases.</summary>
    public const string QuotaPrefix = "Quota: ";

    public static string TenantQuota(string tenantId, long quota, DateTimeOffset windowEnd) => string.Create(
        CultureInfo.InvariantCulture, $"{QuotaPrefix}tenant '{tenantId}' has used its {quota:N0} requests of the window; held until {windowEnd:u}.");

    public static string SubscriptionQuota(long quota, DateTimeOffset windowEnd) => string.Create(
        CultureInfo.InvariantCulture, $"{QuotaPrefix}the subscription has used its {quota:N0} requests of the window; held until {windowEnd:u}.");

    public static string RateLimited(WebhookRateLimit limit) => $"Over the endpoint's rate limit of {limit}; it waits its turn.";
}
