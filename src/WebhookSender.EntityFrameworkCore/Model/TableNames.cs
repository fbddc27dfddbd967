namespace WebhookSender.EntityFrameworkCore;

/// <summary>The table names; all start with <c>webhook_</c>.</summary>
internal static class TableNames
{
    public const string Subscriptions = "webhook_subscriptions";
    public const string SubscriptionEventTypes = "webhook_subscription_event_types";
    public const string Messages = "webhook_messages";
    public const string Deliveries = "webhook_deliveries";
    public const string Queue = "webhook_queue";
    public const string Attempts = "webhook_attempts";
    public const string Bodies = "webhook_bodies";
    public const string Instances = "webhook_instances";
    public const string Limits = "webhook_limits";
    public const string Feed = "webhook_feed";
}
