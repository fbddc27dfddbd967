using System.Reflection;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace WebhookSender.AotSmoke.Tests;

/// <summary>
/// The core and the in-memory store published in a native AOT app (tests/WebhookSender.AotSmoke), which sends a signed
/// webhook to a receiver of its own on 127.0.0.1. Needs a C toolchain for the native link (clang or gcc; .ci/run checks).
/// </summary>
public sealed partial class NativeAotTests(ITestOutputHelper output)
{
    // Generous hang guards, not targets: the publish takes one to two minutes on two busy cores, the app under a second.
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_native_AOT_app_publishes_without_trimming_warnings_and_delivers_a_signed_webhook()
    {
        string root = RepositoryRoot();
        string project = Path.Combine(root, "tests", "WebhookSender.AotSmoke", "WebhookSender.AotSmoke.csproj");
        string configuration = typeof(NativeAotTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var published = Directory.CreateTempSubdirectory("webhooksender-aot-");
        try
        {
            var publish = await ProcessRun.RunAsync(
                Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
                ["publish", project, "-c", configuration, "-p:PublishAot=true", "-o", published.FullName, "-nodeReuse:false", "-p:UseSharedCompilation=false"],
                root,
                PublishTimeout);
            output.WriteLine(publish.Output);
            Assert.True(publish.ExitCode == 0, $"dotnet publish -p:PublishAot=true failed ({publish.ExitCode}); its output is above.");

            var warnings = AnalysisWarning().Matches(publish.Output).Select(m => m.Value).Distinct().ToList();
            Assert.True(warnings.Count == 0, "The publish has trimming or AOT warnings:\n" + string.Join('\n', warnings));

            string binary = Path.Combine(published.FullName, OperatingSystem.IsWindows() ? "WebhookSender.AotSmoke.exe" : "WebhookSender.AotSmoke");
            Assert.True(File.Exists(binary), $"No native binary at {binary}.");
            var run = await ProcessRun.RunAsync(binary, [], root, RunTimeout);
            output.WriteLine(run.Output);

            Assert.True(run.ExitCode == 0, $"The native app exited with {run.ExitCode}; its output is above.");
            Assert.Contains("dynamic code supported: False; reflection-based JSON: False", run.Output, StringComparison.Ordinal);
            Assert.Contains("bad options stop start-up: yes", run.Output, StringComparison.Ordinal);
            Assert.Contains("unlisted type refused: yes", run.Output, StringComparison.Ordinal);
            Assert.Matches(@"received order\.paid msg_\w+ from WebhookSender/\d+\.\d+\.\d+, signature valid \(v1 and v1a\)", run.Output);
            Assert.Matches(@"received webhook\.ping msg_\w+ from WebhookSender/\d+\.\d+\.\d+, signature valid \(v1 and v1a\)", run.Output);
            Assert.Contains("delivery log: succeeded after 1 attempt", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            published.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "WebhookSender.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No WebhookSender.sln above {AppContext.BaseDirectory}.");
    }

    // Analyzer warnings of the build ("warning IL2026: …") and of the AOT compiler ("Trim analysis warning IL2026: …").
    [GeneratedRegex(@"^.*\bwarning IL\d{4}\b.*$", RegexOptions.Multiline)]
    private static partial Regex AnalysisWarning();
}
