using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.LoadTest;

/// <summary>
/// --scale: 1, 2, 3… sender processes on one PostgreSQL database, as a host's instances would share it. For each count
/// the orchestrator makes a database with the subscriptions, starts that many library phases on it (each publishes its
/// share of the events and delivers what it publishes, as the library leases a publish to its own dispatcher), lets
/// them warm up, then starts their measured parts at once. Throughput runs from that start to the receiver's last
/// receipt; PostgreSQL's CPU is taken around it, for all senders together.
/// </summary>
internal static class ScalePhase
{
    private const string ReadyLine = "READY";
    private const string GoLine = "GO";
    private const string StopLine = "STOP";

    /// <summary>A child's side of the handshake: says it is warm, then waits for the word to start.</summary>
    public static async Task ReadyAsync()
    {
        Console.WriteLine(ReadyLine);
        string? line = await Console.In.ReadLineAsync();
        if (line != GoLine)
        {
            throw new InvalidOperationException($"--scale: expected {GoLine} from the orchestrator, got '{line}'.");
        }
    }

    /// <summary>
    /// A child's last step: waits with its connections open until the orchestrator has read the server's CPU. A backend
    /// that exits meanwhile takes its CPU out of the reading until the postmaster reaps it.
    /// </summary>
    public static async Task WaitForStopAsync() => await Console.In.ReadLineAsync();

    public static async Task<int> RunAsync(LoadOptions options)
    {
        if (options.Store != StoreKind.Postgres)
        {
            throw new ArgumentException("--scale shares one PostgreSQL database between processes: pass store=postgres (and postgres=CONNECTION or WEBHOOKSENDER_POSTGRES).");
        }

        string secret = WebhookSecret.Generate();
        using var receiverProcess = Orchestrator.StartReceiver(options.Receiver, secret, out var url);
        using var receiver = new ReceiverClient(url);
        Console.WriteLine($"Receiver {url}; {options.Events} events × {options.Subscriptions} subscriptions shared by {string.Join(", ", options.Instances)} sender processes, concurrency {options.Concurrency} each, {options.Runs} runs.");
        bool clean = true;
        try
        {
            for (int run = 1; run <= options.Runs; run++)
            {
                foreach (int instances in options.Instances)
                {
                    var result = await RunOnceAsync(options, instances, receiver, url, secret);
                    clean &= result.Received == result.Deliveries && result.InvalidSignatures == 0;
                    Console.WriteLine($"  run {run} {instances} instance(s) {result.DeliveriesPerSecond,8:0} deliveries/s  p50 {result.P50Ms,7:0.00} ms  p99 {result.P99Ms,7:0.00} ms  " +
                                      $"senders' CPU {result.CpuMicrosecondsPerDelivery,5:0} µs/delivery  PostgreSQL CPU {result.ServerCpuMicrosecondsPerDelivery,5:0} µs/delivery  WAL {result.WalBytesPerDelivery,5:0} B/delivery  " +
                                      $"received {result.Received}/{result.Deliveries}, duplicates {result.Duplicates}, invalid {result.InvalidSignatures}, failed {result.FailedAttempts}");
                    Orchestrator.AppendCsv(options, run, result);
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

        Console.WriteLine(clean ? $"CSV: {Path.GetFullPath(options.Csv)}" : "Some deliveries were lost or carried invalid signatures.");
        return clean ? 0 : 1;
    }

    private static async Task<PhaseResult> RunOnceAsync(LoadOptions options, int instances, ReceiverClient receiver, Uri url, string secret)
    {
        await using var database = await StoreSetup.CreatePostgresAsync(options);
        await CreateSubscriptionsAsync(options, database.Postgres!, url, secret);

        var share = options with { Events = options.Events / instances, Shared = database.Postgres };
        var children = Enumerable.Range(1, instances).Select(i => new Child(i, url, secret, share)).ToList();
        try
        {
            await Task.WhenAll(children.Select(c => c.Ready));
            await receiver.ResetAsync();
            string? dataDirectory = PostgresCpu.DataDirectory(options);
            var serverBefore = dataDirectory is null ? default : PostgresCpu.Take(dataDirectory);
            var walBefore = await WalPosition.TakeAsync(database.Postgres!);
            long startedAt = Stopwatch.GetTimestamp();
            foreach (var child in children)
            {
                await child.GoAsync();
            }

            var results = await Task.WhenAll(children.Select(c => c.Result));
            var total = options with { Events = share.Events * instances };
            var stats = await receiver.WaitForAsync(total.TotalDeliveries, TimeSpan.FromSeconds(60));
            var serverAfter = dataDirectory is null ? default : PostgresCpu.Take(dataDirectory);
            var walAfter = await WalPosition.TakeAsync(database.Postgres!);
            foreach (var child in children)
            {
                await child.StopAsync();
            }

            return Results.From($"scale-{instances}", total, stats, startedAt, results.Sum(r => r.FailedAttempts)) with
            {
                CpuMicrosecondsPerDelivery = results.Sum(r => r.CpuMicrosecondsPerDelivery * r.Deliveries) / total.TotalDeliveries,
                AllocatedBytesPerDelivery = results.Sum(r => r.AllocatedBytesPerDelivery * r.Deliveries) / total.TotalDeliveries,
                SwitchesPerDelivery = results.Sum(r => r.SwitchesPerDelivery * r.Deliveries) / total.TotalDeliveries,
                PeakMemoryMiB = results.Max(r => r.PeakMemoryMiB),
                WarmUpRounds = results.Max(r => r.WarmUpRounds),
                Jit = string.Join(" + ", results.Select(r => r.Jit)),
                ServerCpuMicrosecondsPerDelivery = dataDirectory is null ? null : serverAfter.MicrosecondsPerDelivery(serverBefore, total.TotalDeliveries),
                WalBytesPerDelivery = walAfter.PerDelivery(walBefore, total.TotalDeliveries),
            };
        }
        finally
        {
            foreach (var child in children)
            {
                child.Dispose();
            }
        }
    }

    /// <summary>The subscriptions, made once in the shared database (each sender would otherwise add its own).</summary>
    private static async Task CreateSubscriptionsAsync(LoadOptions options, string connection, Uri receiver, string secret)
    {
        var services = new ServiceCollection().AddLogging();
        var webhooks = services.AddWebhooks(o =>
        {
            o.Destinations.AllowLoopback = true;
            o.PingOnCreate = false;
        }).AddEventType(Payload.EventType, "A load test event");
        await using var store = await StoreSetup.ConfigureAsync(webhooks, options with { Shared = connection });
        await using var provider = services.BuildServiceProvider();
        await LibraryPhase.CreateSubscriptionsAsync(provider.GetRequiredService<IWebhookSubscriptions>(), options, receiver, secret);
    }

    /// <summary>One sender process: its output is passed on, its READY and its result line are caught.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<PhaseResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _pump;

        public Child(int number, Uri url, string secret, LoadOptions options)
        {
            _process = Orchestrator.StartPhase("library", url, secret, options, input: true);
            _pump = PumpAsync(number);
        }

        public Task Ready => _ready.Task;

        /// <summary>The child's result line; it then waits for STOP with its connections open.</summary>
        public Task<PhaseResult> Result => _result.Task;

        public Task GoAsync() => SayAsync(GoLine);

        public async Task StopAsync()
        {
            await SayAsync(StopLine);
            await _pump;
        }

        private async Task SayAsync(string line)
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }

        private async Task PumpAsync(int number)
        {
            string? line;
            while ((line = await _process.StandardOutput.ReadLineAsync()) is not null)
            {
                if (line == ReadyLine)
                {
                    _ready.TrySetResult();
                }
                else if (Orchestrator.TryParseResult(line, out var result))
                {
                    _result.TrySetResult(result);
                }
                else
                {
                    Console.WriteLine($"    [{number}] {line}");
                }
            }

            await _process.WaitForExitAsync();
            var failure = new InvalidOperationException($"Sender {number} exited with {_process.ExitCode} and no result.");
            _ready.TrySetException(failure);
            _result.TrySetException(failure);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
