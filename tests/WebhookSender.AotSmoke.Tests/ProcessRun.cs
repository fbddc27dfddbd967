using System.Diagnostics;
using System.Text;

namespace WebhookSender.AotSmoke.Tests;

/// <summary>A finished child process: its exit code and everything it wrote, standard output and error interleaved.</summary>
internal sealed record ProcessRun(int ExitCode, string Output)
{
    /// <summary>
    /// Runs a program to its end, or kills it with its children after <paramref name="timeout"/> and fails, so that a
    /// stuck build or app cannot hang the test run.
    /// </summary>
    public static async Task<ProcessRun> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No build servers or reused nodes: one left running would keep the output pipes open after the build ends.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // Set by the dotnet test that runs this test for its own MSBuild; the child CLI finds its own.
        foreach (string variable in new[] { "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath" })
        {
            start.Environment.Remove(variable);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Fail($"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout} and was killed. Its output:\n{Text()}");
        }

        return new ProcessRun(process.ExitCode, Text());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}
