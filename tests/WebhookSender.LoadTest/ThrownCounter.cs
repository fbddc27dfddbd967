using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace WebhookSender.LoadTest;

/// <summary>
/// Diagnostics, always on in the library phase: counts the exceptions thrown while recording (first-chance, by type,
/// message and the innermost method of the library on the stack; one exception rethrown through several frames counts once per frame). A warm,
/// healthy run throws few.
/// </summary>
internal sealed class ThrownCounter : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _thrown = new(StringComparer.Ordinal);

    public void Start() => AppDomain.CurrentDomain.FirstChanceException += Count;

    public void Stop() => AppDomain.CurrentDomain.FirstChanceException -= Count;

    public void Print(TextWriter writer, int top)
    {
        foreach (var (what, count) in _thrown.OrderByDescending(p => p.Value).Take(top))
        {
            writer.WriteLine($"thrown while measuring, {count}×: {what}");
        }
    }

    public void Dispose() => Stop();

    private void Count(object? sender, FirstChanceExceptionEventArgs e) =>
        _thrown.AddOrUpdate($"{e.Exception.GetType().Name}: {e.Exception.Message} (in {Thrower()})", 1, (_, n) => n + 1);

    /// <summary>The innermost method of WebhookSender on the stack: where the library threw or called what threw.</summary>
    private static string Thrower()
    {
        foreach (var frame in new System.Diagnostics.StackTrace(2, false).GetFrames())
        {
            if (frame.GetMethod() is { DeclaringType: { } type } method && type.FullName?.StartsWith("WebhookSender.", StringComparison.Ordinal) == true
                && !type.FullName.StartsWith("WebhookSender.LoadTest.", StringComparison.Ordinal))
            {
                return $"{type.Name}.{method.Name}";
            }
        }

        return "outside WebhookSender";
    }
}
