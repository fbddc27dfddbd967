using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WebhookSender.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>Collects the messages of log events with one name (for example the core's <c>LeaseLost</c>).</summary>
public sealed class EventCollector(string eventName, ConcurrentBag<string> messages) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(eventName, messages);

    public void Dispose()
    {
    }

    private sealed class Logger(string eventName, ConcurrentBag<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == eventName)
            {
                messages.Add(formatter(state, exception));
            }
        }
    }
}
