using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace WebhookSender.LoadTest;

/// <summary>
/// Diagnostics, always on in the library phase: counts the exceptions thrown while recording (first-chance, by type and
/// message; one exception rethrown through several frames counts once per frame). A warm, healthy run throws few.
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
        _thrown.AddOrUpdate($"{e.Exception.GetType().Name}: {e.Exception.Message}", 1, (_, n) => n + 1);
}
