namespace WebhookSender.Portal.Tests.Infrastructure;

/// <summary>The tests that share one browser; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
