using PublicApiGenerator;
using Snapshooter.Xunit;

namespace WebhookSender.Tests.PublicApi;

/// <summary>
/// Renders each package's public API and compares it with the committed snapshot, so every API change shows up in
/// review. After an intended change, delete the snapshot file and run the tests to write the new one.
/// </summary>
public class PublicApiTests
{
    private static readonly ApiGeneratorOptions Options = new() { IncludeAssemblyAttributes = false, AllowNamespacePrefixes = ["Microsoft.Extensions.DependencyInjection"] };

    [Fact]
    public void Core_package() => Snapshot.Match(typeof(IWebhookPublisher).Assembly.GeneratePublicApi(Options));

    [Fact]
    public void InMemory_package() => Snapshot.Match(typeof(Microsoft.Extensions.DependencyInjection.InMemoryWebhooksBuilderExtensions).Assembly.GeneratePublicApi(Options));
}
