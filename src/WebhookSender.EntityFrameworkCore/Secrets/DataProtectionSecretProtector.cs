using Microsoft.AspNetCore.DataProtection;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>Protects subscription documents with ASP.NET Core Data Protection, under a purpose of its own.</summary>
internal sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : IWebhookSecretProtector
{
    public const string Purpose = "WebhookSender.EntityFrameworkCore.Subscriptions.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string protectedText) => _protector.Unprotect(protectedText);
}
