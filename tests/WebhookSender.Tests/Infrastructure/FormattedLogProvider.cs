using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace WebhookSender.Tests.Infrastructure;

/// <summary>
/// Formats every log entry with the console logger's own single-line simple formatter into memory: what an operator's
/// console or log file would hold, without writing to the real console.
/// </summary>
internal sealed class FormattedLogProvider : ILoggerProvider
{
    private readonly ServiceProvider _formatters;
    private readonly ConsoleFormatter _formatter;
    private readonly Lock _gate = new();
    private readonly List<string> _entries = [];

    public FormattedLogProvider()
    {
        _formatters = new ServiceCollection()
            .AddLogging(l => l.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            }))
            .BuildServiceProvider();
        _formatter = _formatters.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Simple);
    }

    /// <summary>Each entry as the formatter wrote it, line ending included.</summary>
    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new FormattingLogger(this, categoryName);

    public void Dispose() => _formatters.Dispose();

    private sealed class FormattingLogger(FormattedLogProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => NullScope.Instance;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            using var writer = new StringWriter(new StringBuilder());
            owner._formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), null, writer);
            lock (owner._gate)
            {
                owner._entries.Add(writer.ToString());
            }
        }
    }

    private sealed class NullScope : IDisposable
    {
        public static readonly NullScope Instance = new();

        public void Dispose()
        {
        }
    }
}
