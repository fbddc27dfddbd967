namespace WebhookSender;

/// <summary>Creates prefixed, time-ordered ids: <c>msg_</c>, <c>sub_</c>, <c>dlv_</c> followed by 32 hex digits (no dots).</summary>
internal static class WebhookIds
{
    public static string NewMessageId(DateTimeOffset now) => "msg_" + Guid.CreateVersion7(now).ToString("N");

    public static string NewSubscriptionId(DateTimeOffset now) => "sub_" + Guid.CreateVersion7(now).ToString("N");

    public static string NewDeliveryId(DateTimeOffset now) => "dlv_" + Guid.CreateVersion7(now).ToString("N");
}
