using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Serialization;

/// <summary>
/// Each format over real HTTP: a subscription chooses it, a rich event is published, a Kestrel receiver on 127.0.0.1
/// gets the body, and an independent parser gives back the published data.
/// </summary>
public class FormatsEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static TheoryData<string, string> Formats => new()
    {
        { WebhookFormats.Json, "application/json" },
        { WebhookFormats.JsonArray, "application/json" },
        { WebhookFormats.Xml, "application/xml; charset=utf-8" },
        { WebhookFormats.Form, "application/x-www-form-urlencoded" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_subscriber_gets_the_published_data_in_its_format_with_a_valid_signature(string format, string contentType)
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        string path = "/hooks/" + format;
        string secret = WebhookSecret.Generate();
        receiver.UseSecret(path, secret);
        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.UrlFor(path), Secret = secret, Format = format });
        var data = SerializationSamples.Parse(SerializationSamples.RichData);
        var context = new Dictionary<string, object?> { ["organization"] = new Dictionary<string, object?> { ["id"] = "org_7", ["name"] = "Example \u2713", ["parent"] = null } };

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", data) { Context = context });

        var received = Assert.Single(await receiver.WaitForCountAsync(path, 1, Wait));
        Assert.Equal(published.MessageId, received.WebhookId);
        Assert.Equal(contentType, received.ContentType);
        Assert.True(received.SignatureValid, $"invalid signature on {received}");
        var envelope = await ReadEnvelopeAsync(format, received.Body);
        Assert.Equal(published.MessageId, envelope.Id);
        Assert.Equal("order.created", envelope.Type);
        Rfc3339.Parse(envelope.Timestamp);
        Assert.Equal(envelope.ExpectedData(data), envelope.Data);
        Assert.Equal(envelope.ExpectedData(SerializationSamples.Parse("""{"id":"org_7","name":"Example \u2713","parent":null}""")), envelope.Organization);
    }

    public static TheoryData<string, long, string> Timestamps
    {
        get
        {
            var data = new TheoryData<string, long, string>();
            foreach (string format in new[] { WebhookFormats.Json, WebhookFormats.JsonArray, WebhookFormats.Xml, WebhookFormats.Form })
            {
                data.Add(format, 7_891_234, "2026-03-01T12:34:56.789123Z"); // seven digits of ticks: cut, not rounded
                data.Add(format, 5_000_000, "2026-03-01T12:34:56.500000Z");
                data.Add(format, 0, "2026-03-01T12:34:56.000000Z");
            }

            return data;
        }
    }

    /// <summary>Issue 19: one precision everywhere, microseconds, as the Standard Webhooks examples write them.</summary>
    [Theory]
    [MemberData(nameof(Timestamps))]
    public async Task Every_format_writes_the_timestamp_as_RFC_3339_UTC_with_six_fractional_digits(string format, long ticks, string expected)
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        string path = "/time/" + format;
        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.UrlFor(path), Format = format });
        var occurredAt = new DateTimeOffset(2026, 3, 1, 14, 34, 56, TimeSpan.FromHours(2)).AddTicks(ticks);

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }) { OccurredAt = occurredAt, Context = new Dictionary<string, object?> { ["organization"] = "org_7" } });

        var received = Assert.Single(await receiver.WaitForCountAsync(path, 1, Wait));
        string timestamp = await ReadTimestampAsync(format, received.Body);
        Assert.Equal(expected, timestamp);
        Assert.Equal(6, Rfc3339.Fraction(timestamp).Length);
        Assert.Equal(occurredAt.UtcTicks / 10 * 10, Rfc3339.Parse(timestamp).UtcTicks);
    }

    [Fact]
    public async Task The_built_in_formats_are_registered_and_a_host_serializer_can_replace_one()
    {
        await using var host = await TestHost.StartAsync(build: webhooks => webhooks.AddSerializer<ReplacementXmlSerializer>());
        var registry = host.Services.GetRequiredService<SerializerRegistry>();

        Assert.Equal(["form", "json", "jsonarray", "xml"], registry.Formats);
        Assert.Equal("application/json", registry.Get(WebhookFormats.JsonArray).MediaType);
        Assert.Equal("application/x-www-form-urlencoded", registry.Get(WebhookFormats.Form).MediaType);
        Assert.IsType<ReplacementXmlSerializer>(registry.Get(WebhookFormats.Xml));
    }

    private static async Task<string> ReadTimestampAsync(string format, byte[] body) => format switch
    {
        WebhookFormats.Json => JsonDocument.Parse(body).RootElement.GetProperty("timestamp").GetString()!,
        WebhookFormats.JsonArray => Assert.Single(JsonDocument.Parse(body).RootElement.EnumerateArray()).GetProperty("timestamp").GetString()!,
        WebhookFormats.Xml => JsonDocument.Parse(IndependentXmlReader.ToCanonicalJson(SerializationSamples.Decode(body))).RootElement.GetProperty("timestamp").GetString()!,
        _ => (string)IndependentFormReader.ToTree(await IndependentFormReader.ReadPairsAsync(body))["timestamp"]!,
    };

    private static async Task<ReceivedEnvelope> ReadEnvelopeAsync(string format, byte[] body)
    {
        switch (format)
        {
            case WebhookFormats.Json:
                return ReceivedEnvelope.FromJson(JsonDocument.Parse(body).RootElement);
            case WebhookFormats.JsonArray:
                return ReceivedEnvelope.FromJson(Assert.Single(JsonDocument.Parse(body).RootElement.EnumerateArray()));
            case WebhookFormats.Xml:
                string json = IndependentXmlReader.ToCanonicalJson(SerializationSamples.Decode(body));
                return ReceivedEnvelope.FromJson(JsonDocument.Parse(json).RootElement, SerializationSamples.XmlSafe);
            default:
                var tree = IndependentFormReader.ToTree(await IndependentFormReader.ReadPairsAsync(body));
                return new ReceivedEnvelope(
                    (string)tree["id"]!,
                    (string)tree["type"]!,
                    (string)tree["timestamp"]!,
                    IndependentFormReader.Canonical(tree["data"]!),
                    IndependentFormReader.Canonical(tree["organization"]!),
                    expected => IndependentFormReader.Canonical(IndependentFormReader.Expected(expected)));
        }
    }

    /// <summary>The envelope as a receiver parsed it, with the published data rendered the same way for comparison.</summary>
    private sealed record ReceivedEnvelope(string Id, string Type, string Timestamp, string Data, string Organization, Func<JsonElement, string> ExpectedData)
    {
        public static ReceivedEnvelope FromJson(JsonElement root, Func<string, string>? mapString = null) => new(
            root.GetProperty("id").GetString()!,
            root.GetProperty("type").GetString()!,
            root.GetProperty("timestamp").GetString()!,
            SerializationSamples.Canonical(root.GetProperty("data")),
            SerializationSamples.Canonical(root.GetProperty("organization")),
            expected => SerializationSamples.Canonical(expected, mapString));
    }

    private sealed class ReplacementXmlSerializer : IEventSerializer
    {
        public string Format => WebhookFormats.Xml;

        public string MediaType => "application/xml";

        public void Serialize(JsonElement payload, IBufferWriter<byte> output) => output.Write("<custom/>"u8);
    }
}
