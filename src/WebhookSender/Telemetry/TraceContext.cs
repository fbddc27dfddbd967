using System.Diagnostics;

namespace WebhookSender;

/// <summary>
/// The trace context a message is published in, kept with it (<see cref="WebhookMessage.TraceParent"/>) so that its
/// delivery spans, which may run hours later and in another process, link back to it.
/// </summary>
internal static class TraceContext
{
    /// <summary>The current activity's W3C <c>traceparent</c>, or <see langword="null"/> when nothing is traced.</summary>
    public static string? Current() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>The link to where <paramref name="message"/> was published; <see langword="null"/> when no span will be made.</summary>
    public static ActivityLink[]? LinksTo(WebhookMessage message) =>
        message.TraceParent is { } traceParent && WebhookTelemetry.ActivitySource.HasListeners() && TryParse(traceParent, out var context)
            ? [new ActivityLink(context)]
            : null;

    /// <summary>The links to where the messages of a batch were published, each context once.</summary>
    public static ActivityLink[]? LinksTo(IReadOnlyList<WebhookMessage> messages)
    {
        if (!WebhookTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        List<ActivityLink>? links = null;
        foreach (var message in messages)
        {
            if (message.TraceParent is { } traceParent && TryParse(traceParent, out var context) && !(links ??= []).Exists(l => l.Context == context))
            {
                links.Add(new ActivityLink(context));
            }
        }

        return links?.ToArray();
    }

    // Stored by this library or by a store someone else wrote: what does not parse is no link, never a failed delivery.
    private static bool TryParse(string traceParent, out ActivityContext context) =>
        ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out context);
}
