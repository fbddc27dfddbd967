using System.Diagnostics;
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
                o.AttemptTimeout = TimeSpan.FromSeconds(1);
                o.LeaseDuration = TimeSpan.FromSeconds(2);
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

    private Process StartWorker(TestDatabase database, int attemptTimeoutMs, int leaseMs)
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
        foreach (string argument in new[] { workerDll, database.Provider, database.ConnectionString, attemptTimeoutMs.ToString(), leaseMs.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker did not start.");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.WriteLine("worker: " + e.Data);
            }
        };
        process.BeginErrorReadLine();
        return process;
    }
}
