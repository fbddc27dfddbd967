using PublicApiGenerator;
using Snapshooter.Xunit;

namespace WebhookSender.Testing.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void Public_api_matches_the_snapshot()
    {
        var api = typeof(WebhookTestReceiver).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"],
        });

        Snapshot.Match(api);
    }
}
