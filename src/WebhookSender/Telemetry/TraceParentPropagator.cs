using System.Diagnostics;

namespace WebhookSender;

/// <summary>
/// What HttpClient writes of the trace context into webhook requests (<see cref="SocketsHttpHandler.ActivityHeadersPropagator"/>):
/// with <see cref="WebhookOptions.PropagateTraceContext"/>, the W3C <c>traceparent</c> header and nothing else, since
/// <c>tracestate</c> and baggage may carry the host's own data to receivers outside it; without, nothing. HttpClient's
/// own span is made either way.
/// </summary>
internal sealed class TraceParentPropagator : DistributedContextPropagator
{
    public const string HeaderName = "traceparent";

    private static readonly TraceParentPropagator Instance = new();
    private static readonly DistributedContextPropagator NoOutput = CreateNoOutputPropagator();
    private static readonly string[] HeaderNames = [HeaderName];

    private TraceParentPropagator()
    {
    }

    /// <summary>The propagator for webhook requests: this one when <paramref name="propagate"/>, else one that writes nothing.</summary>
    public static DistributedContextPropagator For(bool propagate) => propagate ? Instance : NoOutput;

    public override IReadOnlyCollection<string> Fields => HeaderNames;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        // Hierarchical ids have no traceparent form; .NET makes W3C ids unless an app switches them off.
        if (activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id } && setter is not null)
        {
            setter(carrier, HeaderName, id);
        }
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        traceState = null;
        traceId = null;
        getter?.Invoke(carrier, HeaderName, out traceId, out _);
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
}
