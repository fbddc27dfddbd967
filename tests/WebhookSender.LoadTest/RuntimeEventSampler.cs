using System.Collections.ObjectModel;
using System.Diagnostics.Tracing;

namespace WebhookSender.LoadTest;

/// <summary>
/// Diagnostics: listens in process to one event of the runtime's own event source and hands its payload to
/// <see cref="Record"/> while recording (between <see cref="Start"/> and <see cref="Stop"/>, the measured part).
/// </summary>
internal abstract class RuntimeEventSampler : EventListener
{
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    public abstract void Print(TextWriter writer, int top);

    /// <summary>The keyword that turns the event on (a constant: read from the base constructor).</summary>
    protected abstract EventKeywords Keywords { get; }

    /// <summary>The event's id in the runtime's manifest.</summary>
    protected abstract int EventId { get; }

    /// <summary>One event, by payload name; may run on any thread.</summary>
    protected abstract void Record(ReadOnlyCollection<string> names, ReadOnlyCollection<object?> payload);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Called from the base constructor too, before this instance's fields are set: Keywords is a constant.
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, Keywords);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (_recording && eventData.EventId == EventId && eventData.PayloadNames is { } names && eventData.Payload is { } payload)
        {
            Record(names, payload);
        }
    }
}
