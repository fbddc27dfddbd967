namespace WebhookSender;

/// <summary>The HTTP method used for deliveries.</summary>
public enum WebhookHttpMethod
{
    /// <summary>POST, the default.</summary>
    Post,

    /// <summary>PUT, for receivers that expect it.</summary>
    Put,
}
