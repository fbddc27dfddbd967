using Microsoft.Extensions.Logging;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>Source-generated log messages of the Entity Framework Core store. Event ids start at 1001.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Listening for new webhook work on PostgreSQL channel {Channel}.", EventName = "ListenerConnected")]
    public static partial void ListenerConnected(ILogger logger, string channel);

    [LoggerMessage(1002, LogLevel.Warning, "The PostgreSQL listener for new webhook work failed; the dispatcher polls meanwhile. Reconnecting in {Delay}.", EventName = "ListenerFailed")]
    public static partial void ListenerFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(1003, LogLevel.Warning, "Could not announce new webhook work to other instances; they find it at their next poll.", EventName = "NotifyFailed")]
    public static partial void NotifyFailed(ILogger logger, Exception exception);

    [LoggerMessage(1006, LogLevel.Warning, "The context's connection is a {ConnectionType}, not an NpgsqlConnection, so it cannot LISTEN for new webhook work; the dispatcher polls instead (PollInterval).", EventName = "ListenerUnavailable")]
    public static partial void ListenerUnavailable(ILogger logger, string connectionType);

    [LoggerMessage(1004, LogLevel.Information, "Retention removed {Succeeded} succeeded and {Failed} failed deliveries with their attempts, and {Messages} messages.", EventName = "RetentionRemoved")]
    public static partial void RetentionRemoved(ILogger logger, int succeeded, int failed, int messages);

    [LoggerMessage(1005, LogLevel.Error, "The webhook retention cleanup failed; it runs again in {Delay}.", EventName = "RetentionFailed")]
    public static partial void RetentionFailed(ILogger logger, Exception exception, TimeSpan delay);
}
