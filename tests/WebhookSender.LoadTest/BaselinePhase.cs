using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace WebhookSender.LoadTest;

/// <summary>
/// The limit: no library, just what a hand-written sender would do. A producer stamps each event and queues one item per
/// subscription; as many workers as the dispatcher's concurrency sign the same 1 KiB envelope (Standard Webhooks HMAC)
/// and POST it with an <see cref="HttpClient"/> configured like the library's (no redirects, cookies or proxy).
/// </summary>
internal static class BaselinePhase
{
    private sealed record Item(string Id, DateTimeOffset Timestamp, byte[] Body, int Subscription);

    public static async Task<PhaseResult> RunAsync(LoadOptions options, ReceiverClient receiver, string secret)
    {
        byte[] key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
        var urls = Enumerable.Range(0, options.Subscriptions).Select(i => new Uri(receiver.BaseAddress, $"hooks/{i}")).ToArray();
        string padding = Payload.PaddingFor(options.PayloadBytes);

        int warmUpRounds = await Measurement.WarmUpAsync(() => SendAsync(options, client, urls, key, padding, options.WarmupDeliveries / options.Subscriptions / 2));
        await receiver.ResetAsync();

        GC.Collect();
        var start = Measurement.Take();
        long failed = await SendAsync(options, client, urls, key, padding, options.Events);
        var end = Measurement.Take();
        var stats = await receiver.WaitForAsync(options.TotalDeliveries, TimeSpan.FromSeconds(30));
        return start.Complete(end, options.TotalDeliveries, Results.From("baseline", options, stats, start.Timestamp, failed)) with { WarmUpRounds = warmUpRounds };
    }

    private static async Task<long> SendAsync(LoadOptions options, HttpClient client, Uri[] urls, byte[] key, string padding, int events)
    {
        var queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleWriter = true });
        using var window = new SemaphoreSlim(Math.Min(options.EffectiveWindow, int.MaxValue / 2));
        long failed = 0;
        var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var item in queue.Reader.ReadAllAsync())
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, urls[item.Subscription]);
                    request.Content = new ByteArrayContent(item.Body);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    string timestamp = item.Timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                    request.Headers.TryAddWithoutValidation("webhook-id", item.Id);
                    request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp);
                    request.Headers.TryAddWithoutValidation("webhook-signature", Sign(key, item.Id, timestamp, item.Body));
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    await response.Content.CopyToAsync(Stream.Null);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
                finally
                {
                    window.Release();
                }
            }
        })).ToArray();

        for (int e = 0; e < events; e++)
        {
            for (int s = 0; s < urls.Length; s++)
            {
                await window.WaitAsync();
            }

            // Stamped when the event is produced, as the library's run stamps it when publishing.
            var now = DateTimeOffset.UtcNow;
            string id = "msg_" + Guid.CreateVersion7(now).ToString("N");
            byte[] body = Payload.Envelope(id, now, new LoadData(Stopwatch.GetTimestamp(), e, padding));
            for (int s = 0; s < urls.Length; s++)
            {
                queue.Writer.TryWrite(new Item(id, now, body, s));
            }
        }

        queue.Writer.Complete();
        await Task.WhenAll(workers);
        return failed;
    }

    private static string Sign(byte[] key, string id, string timestamp, byte[] body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(System.Text.Encoding.UTF8.GetBytes($"{id}.{timestamp}."));
        hmac.AppendData(body);
        return "v1," + Convert.ToBase64String(hmac.GetHashAndReset());
    }
}
