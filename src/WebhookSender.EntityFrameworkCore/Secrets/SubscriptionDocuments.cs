using System.Text.Json;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Writes and reads the subscription document. With a protector the whole document is protected, not chosen fields:
/// credentials the model gains later (authentication, custom headers) are covered without a change here.
/// </summary>
internal sealed class SubscriptionDocuments(IWebhookSecretProtector? protector = null)
{
    public bool Protects => protector is not null;

    public SubscriptionRow ToRow(WebhookSubscription subscription)
    {
        string json = JsonSerializer.Serialize(subscription, RowMapping.Json);
        return new SubscriptionRow
        {
            Id = subscription.Id,
            TenantId = subscription.TenantId,
            IsActive = subscription.IsActive,
            CreatedAt = RowMapping.Ticks(subscription.CreatedAt),
            UpdatedAt = RowMapping.Ticks(subscription.UpdatedAt),
            Version = subscription.Version,
            Document = protector is null ? json : protector.Protect(json),
            IsProtected = protector is not null,
        };
    }

    public WebhookSubscription ToModel(SubscriptionRow row)
    {
        string json = row.Document;
        if (row.IsProtected)
        {
            if (protector is null)
            {
                throw new InvalidOperationException(
                    $"Subscription '{row.Id}' was stored protected, but no protector is configured. Call ProtectStoredSecrets() " +
                    "(ASP.NET Core Data Protection) or ProtectStoredSecrets<TProtector>() on the webhooks builder, with the keys that protected it.");
            }

            try
            {
                json = protector.Unprotect(json);
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException)
            {
                throw new InvalidOperationException(
                    $"The stored secrets of subscription '{row.Id}' cannot be unprotected: {ex.Message} The key that protected them is " +
                    "not available to this process. Persist the Data Protection key ring where every instance can read it (for example " +
                    "PersistKeysToFileSystem or PersistKeysToDbContext) and give every instance the same application name (SetApplicationName); " +
                    "see docs/durability.md.",
                    ex);
            }
        }

        var subscription = JsonSerializer.Deserialize<WebhookSubscription>(json, RowMapping.Json)
            ?? throw new InvalidOperationException($"Subscription '{row.Id}' has an empty stored document.");

        // The columns are authoritative for what the store itself maintains.
        return subscription with { Version = row.Version };
    }
}
