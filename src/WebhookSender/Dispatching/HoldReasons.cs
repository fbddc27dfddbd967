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

    public static string RateLimited(WebhookRateLimit limit) => $"Over the endpoint's rate limit of {limit}; it waits its turn.";
}
