using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WebhookSender.LoadTest;

/// <summary>Runs the receiver and the phases, collects the results, prints the summary and writes the CSV.</summary>
internal static class Orchestrator
{
    public const string ResultPrefix = "RESULT ";

    private const string CsvHeader =
        "label,machine,store,phase,run,events,subscriptions,concurrency,payload_bytes,window,publishers,deliveries,received,duplicates,invalid_signatures," +
        "failed_attempts,seconds,deliveries_per_s,p50_ms,p99_ms,max_ms,cpu_us_per_delivery,alloc_bytes_per_delivery,peak_mib,gc_0_1_2,jit_in_measurement,warmup_rounds,switches_per_delivery,postgres_cpu_us_per_delivery,stored_bytes_per_delivery,wal_bytes_per_delivery";

    public static async Task<int> RunAsync(LoadOptions options)
    {
        if (!File.Exists(options.Receiver))
        {
            throw new ArgumentException($"The receiver is not built at {options.Receiver}; build the solution in this configuration, or pass receiver=PATH.");
        }

        string secret = WebhookSecret.Generate();
        using var receiverProcess = StartReceiver(options.Receiver, secret, out var url);
        using var receiver = new ReceiverClient(url);
        Console.WriteLine($"Receiver {url} (pid {receiverProcess.Id}); {options.Events} events × {options.Subscriptions} subscriptions, " +
                          $"concurrency {options.Concurrency}, {options.PayloadBytes} B bodies, window {(options.Window == 0 ? "none" : options.Window)}, {options.Publishers} publishers, store {options.Store}, {options.Runs} runs.");
        var results = new List<(int Run, PhaseResult Result)>();
        try
        {
            string[] phases = options.Phases == "both" ? ["baseline", "library"] : [options.Phases];
            for (int run = 1; run <= options.Runs; run++)
            {
                foreach (string phase in phases)
                {
                    var result = await RunPhaseAsync(phase, url, secret, options);
                    results.Add((run, result));
                    Console.WriteLine($"  run {run} {phase,-8} {result.DeliveriesPerSecond,8:0} deliveries/s  p50 {result.P50Ms,7:0.00} ms  p99 {result.P99Ms,7:0.00} ms  " +
                                      $"CPU {result.CpuMicrosecondsPerDelivery,6:0} µs/delivery  {result.AllocatedBytesPerDelivery,7:0} B/delivery  {result.SwitchesPerDelivery,4:0.0} switches/delivery  peak {result.PeakMemoryMiB,5:0} MiB  JIT {result.Jit} after {result.WarmUpRounds} warm-up rounds" +
                                      (result.Received < result.Deliveries || result.InvalidSignatures > 0 || result.FailedAttempts > 0
                                          ? $"  !! received {result.Received}/{result.Deliveries}, invalid {result.InvalidSignatures}, failed {result.FailedAttempts}"
                                          : ""));
                    AppendCsv(options, run, result);
                }
            }
        }
        finally
        {
            await receiver.StopAsync();
            if (!receiverProcess.WaitForExit(5_000))
            {
                receiverProcess.Kill();
            }
        }

        PrintSummary(results.Select(r => r.Result).ToList());
        bool clean = results.All(r => r.Result.Received == r.Result.Deliveries && r.Result.InvalidSignatures == 0);
        Console.WriteLine(clean ? $"CSV: {Path.GetFullPath(options.Csv)}" : "Some deliveries were lost or carried invalid signatures; see the rows marked !!.");
        return clean ? 0 : 1;
    }

    public static Process StartReceiver(string receiverDll, string secret, out Uri url)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(receiverDll);
        start.ArgumentList.Add("--secret");
        start.ArgumentList.Add(secret);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the receiver.");
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null && !line.StartsWith("listening ", StringComparison.Ordinal))
        {
        }

        if (line is null)
        {
            throw new InvalidOperationException("The receiver exited before listening.");
        }

        url = new Uri(line["listening ".Length..].TrimEnd('/') + "/");
        return process;
    }

    private static async Task<PhaseResult> RunPhaseAsync(string phase, Uri url, string secret, LoadOptions options)
    {
        // Each phase in a fresh process: its CPU, allocations and peak memory are its own, and its JIT starts cold.
        using var process = StartPhase(phase, url, secret, options, input: false);
        PhaseResult? result = null;
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
        {
            if (TryParseResult(line, out var parsed))
            {
                result = parsed;
            }
            else
            {
                Console.WriteLine("    " + line);
            }
        }

        await process.WaitForExitAsync();
        return result ?? throw new InvalidOperationException($"The {phase} phase exited with {process.ExitCode} and no result.");
    }

    /// <summary>Starts this tool as one phase's process (<c>--phase</c>), its output redirected, and its input if asked.</summary>
    public static Process StartPhase(string phase, Uri url, string secret, LoadOptions options, bool input)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardInput = input, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Orchestrator).Assembly.Location);
        }

        foreach (string arg in (string[])["--phase", phase, "--url", url.ToString(), "--secret", secret, .. options.ToArgs()])
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start the {phase} phase.");
    }

    /// <summary>A phase's result line, which it prints last: <see cref="ResultPrefix"/> and the result as JSON.</summary>
    public static bool TryParseResult(string line, [NotNullWhen(true)] out PhaseResult? result)
    {
        result = line.StartsWith(ResultPrefix, StringComparison.Ordinal)
            ? JsonSerializer.Deserialize<PhaseResult>(line[ResultPrefix.Length..], JsonSerializerOptions.Web)
            : null;
        return result is not null;
    }

    public static void AppendCsv(LoadOptions options, int run, PhaseResult r)
    {
        bool header = !File.Exists(options.Csv) || new FileInfo(options.Csv).Length == 0;
        var line = new StringBuilder();
        if (header)
        {
            line.AppendLine(CsvHeader);
        }

        line.AppendLine(string.Join(',', (object[])
        [
            Csv(options.Label), Csv($"{Environment.ProcessorCount} cores"), r.Store, r.Phase, run, options.Events, options.Subscriptions, options.Concurrency,
            options.PayloadBytes, options.Window, options.Publishers, r.Deliveries, r.Received, r.Duplicates, r.InvalidSignatures, r.FailedAttempts,
            F(r.Seconds, "0.000"), F(r.DeliveriesPerSecond, "0"), F(r.P50Ms, "0.000"), F(r.P99Ms, "0.000"), F(r.MaxMs, "0.000"),
            F(r.CpuMicrosecondsPerDelivery, "0.0"), F(r.AllocatedBytesPerDelivery, "0"), F(r.PeakMemoryMiB, "0.0"), r.Collections, Csv(r.Jit), r.WarmUpRounds, F(r.SwitchesPerDelivery, "0.00"), r.ServerCpuMicrosecondsPerDelivery is { } server ? F(server, "0.0") : "",
            r.StoredBytesPerDelivery is { } stored ? F(stored, "0") : "", r.WalBytesPerDelivery is { } wal ? F(wal, "0") : "",
        ]));
        File.AppendAllText(options.Csv, line.ToString());
    }

    private static void PrintSummary(List<PhaseResult> results)
    {
        var baseline = Median(results.Where(r => r.Phase == "baseline").ToList());
        Console.WriteLine();
        Console.WriteLine("phase     store      deliveries/s  ratio   p50 ms   p99 ms  CPU µs/dlv  alloc B/dlv  peak MiB   (medians)");
        foreach (var group in results.GroupBy(r => (r.Phase, r.Store)))
        {
            var m = Median(group.ToList())!;
            string ratio = baseline is null ? "   -  " : $"{m.DeliveriesPerSecond / baseline.DeliveriesPerSecond,6:P0}";
            Console.WriteLine($"{m.Phase,-9} {m.Store,-9} {m.DeliveriesPerSecond,13:0} {ratio} {m.P50Ms,8:0.00} {m.P99Ms,8:0.00} {m.CpuMicrosecondsPerDelivery,11:0} {m.AllocatedBytesPerDelivery,12:0} {m.PeakMemoryMiB,9:0}");
        }
    }

    /// <summary>Each figure's median over the runs, taken separately.</summary>
    private static PhaseResult? Median(List<PhaseResult> runs) => runs.Count == 0 ? null : runs[0] with
    {
        DeliveriesPerSecond = Median(runs, r => r.DeliveriesPerSecond),
        P50Ms = Median(runs, r => r.P50Ms),
        P99Ms = Median(runs, r => r.P99Ms),
        CpuMicrosecondsPerDelivery = Median(runs, r => r.CpuMicrosecondsPerDelivery),
        AllocatedBytesPerDelivery = Median(runs, r => r.AllocatedBytesPerDelivery),
        PeakMemoryMiB = Median(runs, r => r.PeakMemoryMiB),
    };

    private static double Median(List<PhaseResult> runs, Func<PhaseResult, double> figure)
    {
        var sorted = runs.Select(figure).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Csv(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;
}
