namespace WebhookSender.AspNetCore;

/// <summary>
/// What the holder of a portal link may do, and what each endpoint of the management API needs (its metadata). Reading
/// is part of every link; the others add to it.
/// </summary>
[Flags]
public enum WebhookPortalPermissions
{
    /// <summary>Nothing: a link without permissions is refused when it is created.</summary>
    None = 0,

    /// <summary>Read the event catalog, the subscriptions and the delivery log.</summary>
    ReadLog = 1,

    /// <summary>Create, edit, delete, enable and disable subscriptions; ping and test them.</summary>
    ManageEndpoints = 2,

    /// <summary>Read a subscription's signing secret and rotate it.</summary>
    Secrets = 4,

    /// <summary>Send a message again and recover failed deliveries.</summary>
    Redeliver = 8,

    /// <summary>Read a pull subscription's updates, which acknowledges what the cursor passed (it leaves the feed).</summary>
    PullUpdates = 16,

    /// <summary>Everything a portal can do.</summary>
    All = ReadLog | ManageEndpoints | Secrets | Redeliver | PullUpdates,
}
