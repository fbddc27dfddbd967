using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace WebhookSender.LoadTest;

/// <summary>
/// Diagnostics (<c>jit=N</c>): listens to the runtime's method-load events and prints the N namespaces whose methods the
/// JIT compiled most often while recording, with a few of their method names: what is still being compiled (or
/// generated) in the measured part, after the warm-up.
/// </summary>
internal sealed class JitSampler : EventListener
{
    private const int MethodLoadVerboseEventId = 143;
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _methods = new(StringComparer.Ordinal);
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    public void Print(TextWriter writer, int top)
    {
        writer.WriteLine($"methods compiled while measuring: {_methods.Values.Sum(b => b.Count)}");
        foreach (var (type, names) in _methods.OrderByDescending(p => p.Value.Count).Take(top))
        {
            writer.WriteLine($"  {names.Count,5}  {type}: {string.Join(", ", names.Distinct().Take(6))}");
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventId != MethodLoadVerboseEventId || eventData.PayloadNames is not { } names)
        {
            return;
        }

        int ns = names.IndexOf("MethodNamespace"), name = names.IndexOf("MethodName");
        if (ns >= 0 && name >= 0 && eventData.Payload![ns] is string type && eventData.Payload[name] is string method)
        {
            _methods.GetOrAdd(type, _ => []).Add(method);
        }
    }
}
