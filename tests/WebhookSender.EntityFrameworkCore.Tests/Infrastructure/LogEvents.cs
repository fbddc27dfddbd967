using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace WebhookSender.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>Collects named log events of one app instance with when they were written (the test's monotonic clock).</summary>
public sealed class LogEvents : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public sealed record Entry(string Name, string Message, TimeSpan At);

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IReadOnlyList<Entry> Named(string name) => [.. _entries.Where(e => e.Name == name)];

    public ILogger CreateLogger(string categoryName) => new Logger(_entries);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name is { } name)
            {
                entries.Enqueue(new Entry(name, formatter(state, exception), Stopwatch.GetElapsedTime(0)));
            }
        }
    }
}
