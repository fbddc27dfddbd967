using System.Globalization;
using System.Reflection;

namespace WebhookSender.LoadTest;

/// <summary>The load tool's settings, given as <c>name=value</c> arguments.</summary>
internal sealed record LoadOptions
{
    /// <summary>Events published per measured phase.</summary>
    public int Events { get; init; } = 2_000;

    /// <summary>Subscriptions each event fans out to (all on the receiver, one path each).</summary>
    public int Subscriptions { get; init; } = 10;

    /// <summary>Dispatcher concurrency (<see cref="WebhookOptions.MaxConcurrency"/>); the baseline runs as many workers.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>The size of each request body in bytes (the JSON envelope).</summary>
    public int PayloadBytes { get; init; } = 1024;

    /// <summary>Deliveries published but not yet answered, at most; 0 publishes everything at once (a backlog).</summary>
    public int Window { get; init; }

    /// <summary>
    /// Tasks publishing at once, as the requests of a web app do; each waits for room in the window before it publishes.
    /// </summary>
    public int Publishers { get; init; } = 4;

    /// <summary>Deliveries sent before measuring, so that the JIT and the connection pool are warm.</summary>
    public int WarmupDeliveries { get; init; } = 10_000;

    /// <summary>How often each phase runs; the summary reports the median.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>inmemory, sqlite or postgres.</summary>
    public string Store { get; init; } = StoreKind.InMemory;

    /// <summary>baseline, library or both (in that order within each run).</summary>
    public string Phases { get; init; } = "both";

    /// <summary>Where the CSV goes (appended); one row per phase and run.</summary>
    public string Csv { get; init; } = "loadtest-results.csv";

    /// <summary>The receiver's dll.</summary>
    public string Receiver { get; init; } = DefaultReceiverPath();

    /// <summary>PostgreSQL connection string (postgres store); defaults to WEBHOOKSENDER_POSTGRES.</summary>
    public string? Postgres { get; init; } = Environment.GetEnvironmentVariable("WEBHOOKSENDER_POSTGRES");

    /// <summary>Diagnostics only: the number of allocated types to print from a sample of allocations (0: none).</summary>
    public int Allocations { get; init; }

    /// <summary>In-memory store: attempts and messages kept (MaxAttempts, MaxRetainedMessages); 0 keeps the store's defaults.</summary>
    public int Retain { get; init; }

    /// <summary>EF Core stores: <see cref="WebhookSender.EntityFrameworkCore.EntityFrameworkStoreOptions.LeaseEndDelay"/> in milliseconds; -1 keeps the store's default.</summary>
    public int LeaseEndDelayMs { get; init; } = -1;

    /// <summary>Diagnostics only: the number of types to print whose methods the JIT compiled while measuring (0: none).</summary>
    public int Jit { get; init; }

    /// <summary>--store-cost: how many writers take turns on the store at once (1: one write at a time).</summary>
    public int Writers { get; init; } = 1;

    /// <summary>
    /// --store-cost on PostgreSQL: after the measured rounds, let retention remove them, vacuum, and measure how much a
    /// second run of the same size still grows the tables.
    /// </summary>
    public bool Reuse { get; init; }

    /// <summary>--isolation: the share of each event's subscriptions, in percent, that point at hostile endpoints.</summary>
    public int DeadPercent { get; init; } = 20;

    /// <summary>--isolation: the attempt timeout (<see cref="WebhookOptions.AttemptTimeout"/>) in milliseconds.</summary>
    public int AttemptTimeoutMs { get; init; } = 2000;

    /// <summary>--isolation: events published per second.</summary>
    public int EventsPerSecond { get; init; } = 500;

    /// <summary>--pull: how many messages one read takes (1 to 1000).</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>--scale: the numbers of sender processes to run on one PostgreSQL database, in turn.</summary>
    public IReadOnlyList<int> Instances { get; init; } = [1, 2, 3];

    /// <summary>
    /// --scale's children: the connection string of a database the orchestrator made, with the schema and the
    /// subscriptions in it. The phase neither creates nor drops it, and waits for GO on its input before measuring.
    /// </summary>
    public string? Shared { get; init; }

    /// <summary>A free-form label written to the CSV (for example the commit).</summary>
    public string Label { get; init; } = "";

    public int TotalDeliveries => Events * Subscriptions;

    /// <summary>The window actually used: by default twice the concurrency, and never less than one event's fan-out.</summary>
    public int EffectiveWindow => Window > 0 ? Math.Max(Window, Subscriptions) : int.MaxValue;

    public static LoadOptions Parse(IEnumerable<string> args)
    {
        var options = new LoadOptions { Window = 0 };
        bool windowGiven = false;
        foreach (string arg in args)
        {
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"Arguments are name=value; '{arg}' is not. {Usage}");
            }

            string name = arg[..eq].TrimStart('-').ToLowerInvariant(), value = arg[(eq + 1)..];
            options = name switch
            {
                "events" => options with { Events = Int(value) },
                "subscriptions" => options with { Subscriptions = Int(value) },
                "concurrency" => options with { Concurrency = Int(value) },
                "payload" => options with { PayloadBytes = Int(value) },
                "window" => options with { Window = Int(value) },
                "warmup" => options with { WarmupDeliveries = Int(value) },
                "publishers" => options with { Publishers = Int(value) },
                "runs" => options with { Runs = Int(value) },
                "store" => options with { Store = StoreKind.Parse(value) },
                "phases" => options with { Phases = value is "baseline" or "library" or "both" ? value : throw new ArgumentException($"phases is baseline, library or both, not '{value}'.") },
                "csv" => options with { Csv = value },
                "receiver" => options with { Receiver = value },
                "postgres" => options with { Postgres = value },
                "label" => options with { Label = value },
                "allocations" => options with { Allocations = Int(value) },
                "jit" => options with { Jit = Int(value) },
                "retain" => options with { Retain = Int(value) },
                "lease-end-delay" => options with { LeaseEndDelayMs = Int(value) },
                "writers" => options with { Writers = Int(value) },
                "reuse" => options with { Reuse = bool.Parse(value) },
                "dead" => options with { DeadPercent = Int(value) },
                "timeout" => options with { AttemptTimeoutMs = Int(value) },
                "rate" => options with { EventsPerSecond = Int(value) },
                "page" => options with { PageSize = Int(value) },
                "instances" => options with { Instances = [.. value.Split(',').Select(Int)] },
                "shared" => options with { Shared = value },
                _ => throw new ArgumentException($"Unknown setting '{name}'. {Usage}"),
            };
            windowGiven |= name == "window";
        }

        return windowGiven ? options : options with { Window = 2 * options.Concurrency };
    }

    public IEnumerable<string> ToArgs() =>
    [
        $"events={Events}", $"subscriptions={Subscriptions}", $"concurrency={Concurrency}", $"payload={PayloadBytes}",
        $"window={Window}", $"publishers={Publishers}", $"warmup={WarmupDeliveries}", $"store={Store}", $"allocations={Allocations}", $"jit={Jit}", $"retain={Retain}", $"lease-end-delay={LeaseEndDelayMs}", $"receiver={Receiver}", $"postgres={Postgres}",
        .. Shared is null ? Array.Empty<string>() : [$"shared={Shared}"],
    ];

    public const string Usage =
        "Settings: events=2000 subscriptions=10 concurrency=64 payload=1024 window=2×concurrency (0 = all at once) publishers=4 warmup=10000 runs=3 " +
        "store=inmemory|sqlite|postgres retain=N (in-memory: attempts and messages kept; default the store's) lease-end-delay=MS (EF Core: LeaseEndDelay; default the store's) phases=both|baseline|library csv=loadtest-results.csv label=TEXT postgres=CONNECTION receiver=PATH " +
        "allocations=N (diagnostics: the N types allocated most) jit=N (diagnostics: the N types compiled most while measuring); with --store-cost also writers=1 (writers at once) reuse=false (PostgreSQL: a second run after retention); with --scale also instances=1,2,3 (sender processes on one PostgreSQL database, in turn); with --isolation also dead=20 (percent of subscriptions on hostile endpoints) timeout=2000 (attempt timeout, ms) rate=500 (events/s)";

    private static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static string DefaultReceiverPath() =>
        typeof(LoadOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "ReceiverPath")?.Value ?? "";
}
