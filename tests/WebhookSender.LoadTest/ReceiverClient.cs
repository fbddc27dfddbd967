using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace WebhookSender.LoadTest;

/// <summary>Counts and latencies the receiver reports (see the receiver's ReceiverStats).</summary>
internal sealed record ReceiverStats(long Received, long Distinct, long InvalidSignatures, long FirstAt, long LastAt, double P50Ms, double P99Ms, double MaxMs);

/// <summary>Talks to the receiver's control endpoints; its own HttpClient, never the one under test.</summary>
internal sealed class ReceiverClient(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public Uri BaseAddress => baseAddress;

    public async Task ResetAsync()
    {
        using var response = await _http.PostAsync("reset", null);
        response.EnsureSuccessStatusCode();
    }

    public async Task<ReceiverStats> StatsAsync() =>
        await _http.GetFromJsonAsync<ReceiverStats>("stats", JsonSerializerOptions.Web) ?? throw new InvalidOperationException("The receiver sent no stats.");

    /// <summary>Polls until the receiver has counted <paramref name="distinct"/> deliveries, or the deadline passes.</summary>
    public async Task<ReceiverStats> WaitForAsync(long distinct, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var stats = await StatsAsync();
            if (stats.Distinct >= distinct || Stopwatch.GetTimestamp() > deadline)
            {
                return stats;
            }

            await Task.Delay(20);
        }
    }

    public async Task StopAsync()
    {
        try
        {
            using var response = await _http.PostAsync("stop", null);
        }
        catch (HttpRequestException)
        {
            // Already gone.
        }
    }

    public void Dispose() => _http.Dispose();
}
