using System.Collections.Concurrent;
using System.Diagnostics;

namespace WebhookSender.Tests.Infrastructure;

/// <summary>
/// Records every span of WebhookSender and of HttpClient (<c>System.Net.Http</c>) that stops while it lives, sampling all
/// of them. Listeners are process-wide, so tests running at the same time see each other's spans: find yours by a tag
/// such as the message id.
/// </summary>
internal sealed class ActivityRecorder : IDisposable
{
    public const string HttpClientSource = "System.Net.Http";

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    /// <param name="traceState">A <c>tracestate</c> the sampler gives every WebhookSender span (as some vendors' samplers do).</param>
    /// <param name="started">Runs as each span starts.</param>
    public ActivityRecorder(string? traceState = null, Action<Activity>? started = null)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is WebhookTelemetry.Name or HttpClientSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
            {
                if (traceState is not null && options.Source.Name == WebhookTelemetry.Name)
                {
                    options = options with { TraceState = traceState };
                }

                return ActivitySamplingResult.AllDataAndRecorded;
            },
            ActivityStarted = activity => started?.Invoke(activity),
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Waits for a stopped span that <paramref name="match"/> accepts.</summary>
    public async Task<Activity> WaitForAsync(Func<Activity, bool> match, string what)
    {
        var found = await Eventually.WaitForAsync(() => Task.FromResult(_stopped.FirstOrDefault(match)), a => a is not null, what);
        return found!;
    }

    /// <summary>The stopped <c>webhooks.deliver</c> span that sent <paramref name="webhookId"/>.</summary>
    public Task<Activity> DeliveryOfAsync(string webhookId) =>
        WaitForAsync(a => a.OperationName == WebhookTelemetry.DeliverActivityName && (string?)a.GetTagItem(TelemetryTags.MessageId) == webhookId, $"the delivery span of {webhookId}");

    /// <summary>The stopped <c>webhooks.publish</c> span that stored <paramref name="messageId"/>.</summary>
    public Task<Activity> PublishOfAsync(string messageId) =>
        WaitForAsync(a => a.OperationName == WebhookTelemetry.PublishActivityName && (string?)a.GetTagItem(TelemetryTags.MessageId) == messageId, $"the publish span of {messageId}");

    /// <summary>The stopped HttpClient spans under <paramref name="parent"/>.</summary>
    public IReadOnlyList<Activity> HttpClientSpansUnder(Activity parent) =>
        [.. _stopped.Where(a => a.Source.Name == HttpClientSource && a.TraceId == parent.TraceId && a.ParentSpanId == parent.SpanId)];

    public void Dispose() => _listener.Dispose();
}
