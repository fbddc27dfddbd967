using System.Globalization;

namespace WebhookSender.LoadTest;

/// <summary>
/// The CPU a local PostgreSQL server has used so far (Linux /proc, clock ticks of 1/100 s), as
/// tests/WebhookSender.LoadTest/postgres-cpu.sh counts it, split three ways: the client backends (our connections), the
/// server's own background processes still running (WAL writer, checkpointer…), and the children it has reaped (mostly
/// autovacuum workers, which exit after each table). Set <c>WEBHOOKSENDER_PGDATA</c> to the server's data directory.
/// </summary>
internal readonly record struct PostgresCpu(long Backends, long Background, long Reaped)
{
    public long Total => Backends + Background + Reaped;

    /// <summary>The server's data directory from <c>WEBHOOKSENDER_PGDATA</c>, or null when PostgreSQL CPU is not measured.</summary>
    public static string? DataDirectory(LoadOptions options) =>
        options.Store == StoreKind.Postgres && Environment.GetEnvironmentVariable("WEBHOOKSENDER_PGDATA") is { Length: > 0 } path ? path : null;

    public static PostgresCpu Take(string dataDirectory)
    {
        int postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var own = Stat(postmaster) ?? throw new InvalidOperationException($"No PostgreSQL runs with the pid in {dataDirectory}/postmaster.pid.");
        long backends = 0, background = Ticks(own, 11) + Ticks(own, 12);
        foreach (string entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out int pid) && Stat(pid) is { } fields && fields[1] == postmaster.ToString(CultureInfo.InvariantCulture))
            {
                long used = Ticks(fields, 11) + Ticks(fields, 12);
                // A client backend's title is "postgres: user database host(port) state".
                bool client = ReadTitle(pid) is { } title && title.Contains('(', StringComparison.Ordinal);
                if (client)
                {
                    backends += used;
                }
                else
                {
                    background += used;
                }
            }
        }

        return new PostgresCpu(backends, background, Ticks(own, 13) + Ticks(own, 14));
    }

    /// <summary>Microseconds per delivery since <paramref name="before"/>, in all and by kind.</summary>
    public string Describe(PostgresCpu before, int deliveries)
    {
        string Per(long ticks) => (ticks * 10_000.0 / deliveries).ToString("F1", CultureInfo.InvariantCulture);
        return $"PostgreSQL CPU {Per(Total - before.Total),6} µs/delivery (backends {Per(Backends - before.Backends)}, " +
               $"background {Per(Background - before.Background)}, exited workers {Per(Reaped - before.Reaped)})";
    }

    public double MicrosecondsPerDelivery(PostgresCpu before, int deliveries) => (Total - before.Total) * 10_000.0 / deliveries;

    private static long Ticks(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);

    private static string? ReadTitle(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The fields of /proc/PID/stat after the command name (state first, then the parent's pid…), or null if it is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
