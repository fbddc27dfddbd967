using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Diagnostics.Tracing;

namespace WebhookSender.LoadTest;

/// <summary>
/// Diagnostics (<c>jit=N</c>): listens to the runtime's method-load events and prints the N types whose methods the JIT
/// compiled most often while recording, with a few of their method names: what is still being compiled (or generated)
/// in the measured part, after the warm-up.
/// </summary>
internal sealed class JitSampler : RuntimeEventSampler
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _methods = new(StringComparer.Ordinal);

    protected override EventKeywords Keywords => (EventKeywords)0x10; // JIT

    protected override int EventId => 143; // MethodLoadVerbose

    public override void Print(TextWriter writer, int top)
    {
        writer.WriteLine($"methods compiled while measuring: {_methods.Values.Sum(b => b.Count)}");
        foreach (var (type, names) in _methods.OrderByDescending(p => p.Value.Count).Take(top))
        {
            writer.WriteLine($"  {names.Count,5}  {type}: {string.Join(", ", names.Distinct().Take(6))}");
        }
    }

    protected override void Record(ReadOnlyCollection<string> names, ReadOnlyCollection<object?> payload)
    {
        int ns = names.IndexOf("MethodNamespace"), name = names.IndexOf("MethodName");
        if (ns >= 0 && name >= 0 && payload[ns] is string type && payload[name] is string method)
        {
            _methods.GetOrAdd(type, _ => []).Add(method);
        }
    }
}
