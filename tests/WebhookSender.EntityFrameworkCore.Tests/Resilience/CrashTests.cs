using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;
using Xunit.Abstractions;

namespace WebhookSender.EntityFrameworkCore.Tests.Resilience;

/// <summary>A dispatcher process killed with SIGKILL mid-delivery loses nothing: its leases lapse and another instance finishes.</summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Events = 20;

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_dispatcher_killed_mid_delivery_loses_nothing(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await WebhookTestReceiver.StartAsync();
        bool hang = true;

        // This process only publishes (its dispatcher is not started) until the worker is dead.
        await using var app = await EfTestHost.StartAsync(
            database,
            configure: o =>
            {
                // Its attempts come after the receiver stopped hanging; 5 s leaves room for a first request made while
                // the process starts and 20 requests still hang on two cores (1 s once timed out in CI and was retried).
                o.AttemptTimeout = TimeSpan.FromSeconds(5);
                o.LeaseDuration = TimeSpan.FromSeconds(10);
            },
            output: output,
            start: false);
        // One endpoint per event (a filter picks it): an endpoint that hangs holds one attempt at a time (it is on
        // probation), so twenty endpoints hang twenty attempts at once.
        var published = new List<string>();
        for (int i = 0; i < Events; i++)
        {
            string n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            receiver.Respond($"/hooks/{n}", _ => Volatile.Read(ref hang) ? ReceiverResponse.Hang(Timeout.InfiniteTimeSpan) : ReceiverResponse.Ok());
            await app.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
            {
                Url = receiver.UrlFor($"/hooks/{n}"),
                Filters = new Dictionary<string, IReadOnlyList<string>> { ["n"] = [n] },
            });
            published.Add((await app.Publisher.PublishAsync(new WebhookEvent("order.created", new { i }) { Attributes = new Dictionary<string, string> { ["n"] = n } })).MessageId);
        }

        // The worker leases for 10 s and gives an attempt 5 s: it is killed while every attempt hangs, long before any times out.
        using (var worker = StartWorker(database, attemptTimeoutMs: 5000, leaseMs: 10_000))
        {
            try
            {
                await receiver.WaitForAsync(all => all.Count >= Events, TimeSpan.FromSeconds(30));
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }
            finally
            {
                if (!worker.HasExited)
                {
                    worker.Kill(entireProcessTree: true);
                }
            }
        }

        var afterKill = await app.AllDeliveriesAsync();
        output.WriteLine($"After SIGKILL: {afterKill.Count(d => d.Status == DeliveryStatus.Dispatched)} deliveries held by the dead worker, {afterKill.Count(d => d.IsCompleted)} completed.");
        Assert.All(afterKill, d => Assert.Equal(DeliveryStatus.Dispatched, d.Status));

        // A new instance takes over once the dead worker's leases lapse.
        Volatile.Write(ref hang, false);
        var clock = Stopwatch.StartNew();
        await app.StartAsync();
        var delivered = await Eventually.WaitForAsync(
            () => app.AllDeliveriesAsync(),
            all => all.Count == Events && all.All(d => d.Status == DeliveryStatus.Succeeded),
            "every delivery to succeed after the restart",
            TimeSpan.FromSeconds(30));
        output.WriteLine($"Recovered all {Events} deliveries {clock.Elapsed.TotalSeconds:0.0} s after the restart.");

        // Each endpoint got its hung request and then the same webhook-id once more, from the new instance.
        for (int i = 0; i < Events; i++)
        {
            var onPath = receiver.ReceivedOn($"/hooks/{i}");
            Assert.Equal(2, onPath.Count);
            Assert.Equal(published[i], onPath[0].WebhookId);
            Assert.Equal(published[i], onPath[1].WebhookId);
        }

        Assert.All(delivered, d => Assert.Equal(1, d.AttemptCount));
    }

    /// <summary>
    /// Issue 19: after kill -9 the dead process's deliveries (attempted or only handed over to its dispatcher) waited a
    /// whole LeaseDuration (2 minutes by default) before anyone retried them. With default settings, an instance that
    /// stays alive now sends them within seconds.
    /// </summary>
    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task With_default_settings_a_survivor_sends_a_killed_dispatchers_deliveries_long_before_their_leases_lapse(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await WebhookTestReceiver.StartAsync();

        // The worker's requests hang until it dies; the survivor's (marked by a header) are answered.
        receiver.Respond("/hooks", r => r.Headers.ContainsKey(SurvivorHeader) ? ReceiverResponse.Ok() : ReceiverResponse.Hang(Timeout.InfiniteTimeSpan));
        await using var survivor = await EfTestHost.StartAsync(
            database,
            store: o => o.PollInterval = new EntityFrameworkStoreOptions().PollInterval,
            build: webhooks => webhooks.ConfigureHttpClient(http => http.AddHttpMessageHandler(() => new SurvivorHeaderHandler())),
            output: output);
        await survivor.SubscribeAsync(receiver.UrlFor("/hooks"));

        var killed = await KillWhileHoldingAsync(database, receiver, $"worker-{Guid.NewGuid():N}");
        await AssertSentSoonAsync(provider, "the survivor", survivor, killed);
    }

    /// <summary>
    /// A process restarted with the same <see cref="EntityFrameworkStoreOptions.InstanceId"/> (a fixed name, as a
    /// StatefulSet gives) finds its former self's registration, waits for it to go stale, and takes it over.
    /// </summary>
    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task With_default_settings_a_process_restarted_with_the_same_instance_id_takes_over_its_former_self(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await WebhookTestReceiver.StartAsync();
        bool hang = true;
        receiver.Respond("/hooks", _ => Volatile.Read(ref hang) ? ReceiverResponse.Hang(Timeout.InfiniteTimeSpan) : ReceiverResponse.Ok());
        await using var app = await EfTestHost.StartAsync(database, output: output, start: false);
        await app.SubscribeAsync(receiver.UrlFor("/hooks"));
        string instanceId = $"worker-{Guid.NewGuid():N}";

        var killed = await KillWhileHoldingAsync(database, receiver, instanceId);
        Volatile.Write(ref hang, false);
        using var restarted = StartWorker(database, "default", "default", "--instance-id", instanceId);
        try
        {
            await AssertSentSoonAsync(provider, "the restarted process", app, killed);
        }
        finally
        {
            restarted.Process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>What a worker killed with SIGKILL held, and when it died.</summary>
    private sealed record Killed(IReadOnlyList<string> Held, IReadOnlySet<string?> Attempted, Stopwatch SinceKill);

    /// <summary>
    /// Starts a worker with default settings that publishes itself: two attempts hang in its two slots, more wait handed
    /// over to its dispatcher (leased, never attempted), and what does not fit there goes to the store. Kills it with
    /// SIGKILL once both attempts hang.
    /// </summary>
    private async Task<Killed> KillWhileHoldingAsync(TestDatabase database, WebhookTestReceiver receiver, string instanceId)
    {
        using var worker = StartWorker(database, "default", "default", "--instance-id", instanceId, "--concurrency", "2", "--publish", "12");
        try
        {
            await worker.Published.WaitAsync(TimeSpan.FromSeconds(60));
            // One endpoint, on probation in the worker: one attempt hangs, the rest wait leased at its gate.
            var attempted = await receiver.WaitForAsync(all => all.Any(r => !r.Headers.ContainsKey(SurvivorHeader)), TimeSpan.FromSeconds(30));
            var held = await HeldByAsync(database, instanceId);
            worker.Process.Kill(entireProcessTree: true);
            var sinceKill = Stopwatch.StartNew();
            await worker.Process.WaitForExitAsync();
            return new Killed(held, attempted.Where(r => !r.Headers.ContainsKey(SurvivorHeader)).Select(r => r.WebhookId).ToHashSet(), sinceKill);
        }
        finally
        {
            if (!worker.Process.HasExited)
            {
                worker.Process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Waits (up to LeaseDuration and a minute) for the killed worker's deliveries to be sent, and checks it was far sooner.</summary>
    private async Task AssertSentSoonAsync(string provider, string sender, EfTestHost app, Killed killed)
    {
        var defaults = new WebhookOptions();
        var all = await Eventually.WaitForAsync(
            () => app.AllDeliveriesAsync(),
            all => killed.Held.All(id => all.Single(d => d.Id == id).Status == DeliveryStatus.Succeeded),
            $"{sender} to send the killed worker's deliveries",
            defaults.LeaseDuration + TimeSpan.FromMinutes(1));
        var stall = killed.SinceKill.Elapsed;
        var deliveries = all.Where(d => killed.Held.Contains(d.Id)).ToList();
        int neverAttempted = deliveries.Count(d => !killed.Attempted.Contains(d.MessageId));
        output.WriteLine(
            $"{provider}: SIGKILL with {killed.Held.Count} deliveries leased by the worker ({killed.Held.Count - neverAttempted} attempts hanging, {neverAttempted} never attempted); " +
            $"{sender} had sent them all {stall.TotalSeconds:0.0} s after the kill (LeaseDuration {defaults.LeaseDuration.TotalSeconds:0} s).");

        Assert.True(neverAttempted > 0, "Some of the worker's leased deliveries should have been waiting for a slot when it died.");
        Assert.All(deliveries, d => Assert.Equal(1, d.AttemptCount));
        Assert.True(stall < defaults.LeaseDuration / 4, $"{sender} took {stall} to send the dead worker's deliveries; their leases lapse after {defaults.LeaseDuration}.");
    }

    private const string SurvivorHeader = "x-test-survivor";

    /// <summary>The deliveries whose queue rows name <paramref name="owner"/> as their lease holder.</summary>
    private static async Task<IReadOnlyList<string>> HeldByAsync(TestDatabase database, string owner)
    {
        await using var context = database.NewContext();
        return await context.Database
            .SqlQueryRaw<string>("SELECT delivery_id AS \"Value\" FROM webhook_queue WHERE lease_owner = {0} AND lease_id IS NOT NULL", owner)
            .ToListAsync();
    }

    private Process StartWorker(TestDatabase database, int attemptTimeoutMs, int leaseMs) =>
        StartWorker(database, attemptTimeoutMs.ToString(CultureInfo.InvariantCulture), leaseMs.ToString(CultureInfo.InvariantCulture)).Process;

    private Worker StartWorker(TestDatabase database, string attemptTimeoutMs, string leaseMs, params string[] options)
    {
        // tests/WebhookSender.EntityFrameworkCore.Tests/bin/<Configuration>/net10.0/ → the worker's matching folder.
        string here = AppContext.BaseDirectory;
        string workerDirectory = here.Replace(
            $"{Path.DirectorySeparatorChar}WebhookSender.EntityFrameworkCore.Tests{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}",
            $"{Path.DirectorySeparatorChar}WebhookSender.EntityFrameworkCore.Tests.Worker{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal);
        string workerDll = Path.Combine(workerDirectory, "WebhookSender.EntityFrameworkCore.Tests.Worker.dll");
        Assert.True(File.Exists(workerDll), $"The worker was not built at {workerDll}; build the solution first.");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { workerDll, database.Provider, database.ConnectionString, attemptTimeoutMs, leaseMs }.Concat(options))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker did not start.");
        var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "published")
            {
                published.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.WriteLine("worker: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Worker(process, published.Task);
    }

    /// <summary>A worker process; <see cref="Published"/> completes when it has published what it was asked to.</summary>
    private sealed record Worker(Process Process, Task Published) : IDisposable
    {
        public void Dispose() => Process.Dispose();
    }

    /// <summary>Marks the survivor's requests, so the receiver answers them and lets the worker's hang.</summary>
    private sealed class SurvivorHeaderHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Add(SurvivorHeader, "1");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
