namespace WebhookSender;

/// <summary>Why a delivery (and so each of its attempts) was made.</summary>
public enum AttemptTrigger
{
    /// <summary>A published event, including its scheduled retries.</summary>
    Scheduled,

    /// <summary>A redelivery asked for through <see cref="IWebhookDeliveries"/>.</summary>
    Manual,

    /// <summary>A <c>webhook.ping</c> sent when the subscription was created or on request.</summary>
    Ping,

    /// <summary>A test sent by the test report; never counts toward disabling.</summary>
    Test,

    /// <summary>A pull subscription's reader took the message with <see cref="IWebhookUpdates.ReadAsync"/>.</summary>
    Pull,
}
