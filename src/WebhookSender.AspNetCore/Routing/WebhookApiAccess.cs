namespace WebhookSender.AspNetCore;

/// <summary>
/// Endpoint metadata on every endpoint <c>MapWebhooks</c> maps: whether it reads or changes. A host's own convention can
/// look for it to apply policies of its own, beside <see cref="WebhookApiOptions.ReadPolicy"/> and <see cref="WebhookApiOptions.WritePolicy"/>.
/// </summary>
public enum WebhookApiAccess
{
    /// <summary>Reads: the catalog, subscriptions, the delivery log.</summary>
    Read,

    /// <summary>Changes something, sends something, or reveals the signing secret.</summary>
    Write,
}
