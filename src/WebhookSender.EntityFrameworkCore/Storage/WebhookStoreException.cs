namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Thrown by the Entity Framework Core store when its database fails an operation (for example because it cannot be
/// reached). The message says what the store was doing; the inner exception is the provider's. Nothing of the failed
/// operation was stored, so publishing may simply be tried again; the dispatcher retries on its own.
/// </summary>
public sealed class WebhookStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The database provider's exception.</param>
    public WebhookStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
