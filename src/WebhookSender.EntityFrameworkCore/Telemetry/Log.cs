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

    [LoggerMessage(1015, LogLevel.Warning, "Retention failed {Count} messages that pull subscriptions' readers had not read within {Retention} (UnreadRetention); they are in the delivery log as failed.", EventName = "UnreadExpired")]
    public static partial void UnreadExpired(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(1005, LogLevel.Error, "The webhook retention cleanup failed; it runs again in {Delay}.", EventName = "RetentionFailed")]
    public static partial void RetentionFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(1007, LogLevel.Warning, "Instance {DeadInstanceId} sent no heartbeat for {InstanceTimeout}; instance {InstanceId} took over its {Deliveries} leased deliveries, which are due now.", EventName = "InstanceTakenOver")]
    public static partial void InstanceTakenOver(ILogger logger, string deadInstanceId, TimeSpan instanceTimeout, string instanceId, int deliveries);

    [LoggerMessage(1008, LogLevel.Warning, "Instance {InstanceId} has had no successful heartbeat for {Window}: it cancels its attempts in flight and leases nothing until a heartbeat succeeds, as other instances may take its deliveries over.", EventName = "LeasesLost")]
    public static partial void LeasesLost(ILogger logger, string instanceId, TimeSpan window);

    [LoggerMessage(1009, LogLevel.Information, "Instance {InstanceId} renewed its heartbeat and leases deliveries again.", EventName = "LeasesRegained")]
    public static partial void LeasesRegained(ILogger logger, string instanceId);

    [LoggerMessage(1010, LogLevel.Warning, "The heartbeat of instance {InstanceId} failed; it tries again every {Interval}.", EventName = "HeartbeatFailed")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string instanceId, TimeSpan interval);

    [LoggerMessage(1011, LogLevel.Error, "The table {Table} of the webhook store is missing, so instance {InstanceId} cannot send a heartbeat and leases no deliveries: add a migration (dotnet ef migrations add) and apply it.", EventName = "HeartbeatTableMissing")]
    public static partial void HeartbeatTableMissing(ILogger logger, Exception exception, string table, string instanceId);

    [LoggerMessage(1012, LogLevel.Warning, "Instance {InstanceId} was found without a heartbeat for too long and another instance took its deliveries over; it cancelled its attempts in flight and registers again.", EventName = "InstanceDeclaredDead")]
    public static partial void InstanceDeclaredDead(ILogger logger, string instanceId);

    [LoggerMessage(1013, LogLevel.Warning, "Instance id {InstanceId} is registered by another process whose heartbeat is recent; this one leases no deliveries until that registration ends or goes stale. Give every running instance its own InstanceId.", EventName = "InstanceIdInUse")]
    public static partial void InstanceIdInUse(ILogger logger, string instanceId);

    [LoggerMessage(1014, LogLevel.Information, "Instance {InstanceId} vouches for its leases again; the {Deliveries} deliveries it held from before are due now.", EventName = "OwnLeasesReleased")]
    public static partial void OwnLeasesReleased(ILogger logger, string instanceId, int deliveries);
}
