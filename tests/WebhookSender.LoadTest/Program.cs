using System.Text.Json;
using WebhookSender.LoadTest;

// The WebhookSender load tool. Starts the receiver (a separate Kestrel process on 127.0.0.1), then for each run starts
// one sender process per phase: the raw-HttpClient baseline and the library, against the same receiver. Prints a
// summary (medians and library/baseline ratios) and appends one CSV row per phase and run. See docs/benchmarks.md.
//   dotnet run -c Release --project tests/WebhookSender.LoadTest -- events=2000 subscriptions=10 concurrency=64
//   dotnet run -c Release --project tests/WebhookSender.LoadTest -- --store-cost store=postgres events=3000 subscriptions=10
//   dotnet run -c Release --project tests/WebhookSender.LoadTest -- --isolation dead=20 timeout=2000 runs=3
//   dotnet run -c Release --project tests/WebhookSender.LoadTest -- --heap payload=1048576 events=200
//   dotnet run -c Release --project tests/WebhookSender.LoadTest -- --scale store=postgres instances=1,2,3 events=10000
//   dotnet run -c Release --project tests/WebhookSender.LoadTest -- --pull store=postgres events=100000 writers=8 page=1000
if (args is ["--phase", var phase, "--url", var url, "--secret", var secret, .. var rest])
{
    // A child: one measured phase, reported as one JSON line.
    var options = LoadOptions.Parse(rest);
    using var receiver = new ReceiverClient(new Uri(url));
    var result = phase == "baseline"
        ? await BaselinePhase.RunAsync(options, receiver, secret)
        : await LibraryPhase.RunAsync(options, receiver, secret);
    Console.WriteLine(Orchestrator.ResultPrefix + JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
    if (options.Shared is not null)
    {
        await ScalePhase.WaitForStopAsync();
    }

    return 0;
}

try
{
    if (args is ["--store-cost", .. var settings])
    {
        // The store's own cost per delivery, one write at a time (see StoreCostPhase).
        return await StoreCostPhase.RunAsync(LoadOptions.Parse(settings));
    }

    if (args is ["--heap", .. var heap])
    {
        // What the in-memory store keeps alive per pending delivery and per attempt (see HeapPhase).
        return await HeapPhase.RunAsync(LoadOptions.Parse(heap));
    }

    if (args is ["--pull", .. var pull])
    {
        // One reader drains a pull subscription's backlog (see PullPhase).
        return await PullPhase.RunAsync(LoadOptions.Parse(pull));
    }

    if (args is ["--scale", .. var scale])
    {
        // 1, 2, 3… sender processes on one PostgreSQL database (see ScalePhase).
        return await ScalePhase.RunAsync(LoadOptions.Parse(scale));
    }

    if (args is ["--isolation", .. var isolation])
    {
        // Dead and hostile endpoints beside healthy ones: do the healthy ones still flow (see IsolationPhase)?
        var defaults = new[] { "subscriptions=1000", "events=2000", "concurrency=32", "window=0" };
        return await IsolationPhase.RunAsync(LoadOptions.Parse([.. defaults, .. isolation]));
    }

    return await Orchestrator.RunAsync(LoadOptions.Parse(args));
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
