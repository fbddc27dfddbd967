using System.Diagnostics;

namespace WebhookSender.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// When WEBHOOKSENDER_POSTGRES is not set (a plain <c>dotnet test</c> on a developer machine), starts a throwaway
/// PostgreSQL with the repository's own <c>.ci/postgres.sh</c> for this test run and stops it when the run ends. CI sets
/// the variable itself, so there a missing server fails instead of being started behind its back.
/// </summary>
internal static class LocalPostgres
{
    private static readonly Lazy<string> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ConnectionString => Server.Value;

    private static string Start()
    {
        string? repository = FindRepository();
        if (repository is null)
        {
            throw new InvalidOperationException($"{TestDatabase.PostgresVariable} is not set and .ci/postgres.sh was not found above {AppContext.BaseDirectory}.");
        }

        string root = Path.Combine(Path.GetTempPath(), $"webhooksender-pg-test-{Environment.ProcessId}");
        var start = new ProcessStartInfo("bash", ["-c", "source .ci/postgres.sh && start_postgres >&2 && echo \"$WEBHOOKSENDER_POSTGRES\""])
        {
            WorkingDirectory = repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PG_ROOT"] = root;
        start.Environment["PG_PORT"] = "54360";
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || output.Trim().Length == 0)
        {
            throw new InvalidOperationException(
                $"{TestDatabase.PostgresVariable} is not set and starting a local PostgreSQL with .ci/postgres.sh failed ({errors.Trim()}). " +
                $"Install PostgreSQL 15, run `source .ci/postgres.sh && start_postgres`, or set {TestDatabase.PostgresVariable}.");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(repository, root);
        return output.Trim();
    }

    private static void Stop(string repository, string root)
    {
        var stop = new ProcessStartInfo("bash", ["-c", "source .ci/postgres.sh && stop_postgres && rm -rf \"$PG_ROOT\""]) { WorkingDirectory = repository };
        stop.Environment["PG_ROOT"] = root;
        using var process = Process.Start(stop);
        process?.WaitForExit(10_000);
    }

    private static string? FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, ".ci", "postgres.sh")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
