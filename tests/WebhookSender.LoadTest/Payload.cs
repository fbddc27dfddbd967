using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace WebhookSender.LoadTest;

/// <summary>
/// The event data of the load test: the publish time as a <see cref="Stopwatch"/> timestamp (the receiver reads the same
/// monotonic clock), a sequence number, and padding that brings the whole JSON envelope to the requested size.
/// </summary>
internal sealed record LoadData(long SentAt, int Seq, string Padding);

internal static class Payload
{
    public const string EventType = "load.test";

    /// <summary>Padding that makes the library's <c>json</c> envelope of a <see cref="LoadData"/> about <paramref name="bodyBytes"/> long.</summary>
    public static string PaddingFor(int bodyBytes)
    {
        int overhead = Envelope("msg_" + Guid.CreateVersion7().ToString("N"), DateTimeOffset.UtcNow, new LoadData(Stopwatch.GetTimestamp(), 100_000, "")).Length;
        return new string('x', Math.Max(0, bodyBytes - overhead));
    }

    /// <summary>The body the baseline sends: the same envelope the library's <c>json</c> format writes.</summary>
    public static byte[] Envelope(string id, DateTimeOffset timestamp, LoadData data)
    {
        var buffer = new ArrayBufferWriter<byte>(1200);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("type", EventType);
            writer.WriteString("timestamp", timestamp.UtcDateTime);
            writer.WriteStartObject("data");
            writer.WriteNumber("sentAt", data.SentAt);
            writer.WriteNumber("seq", data.Seq);
            writer.WriteString("padding", data.Padding);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
