using PublicApiGenerator;
using Snapshooter.Xunit;

namespace WebhookSender.AspNetCore.Tests.PublicApi;

/// <summary>
/// Renders the package's public API and compares it with the committed snapshot, so every API change shows up in
/// review. After an intended change, delete the snapshot file and run the tests to write the new one.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly ApiGeneratorOptions Options = new() { IncludeAssemblyAttributes = false, AllowNamespacePrefixes = ["Microsoft.AspNetCore.Builder"] };

    [Fact]
    public void AspNetCore_package() => Snapshot.Match(typeof(WebhookApiOptions).Assembly.GeneratePublicApi(Options));
}
