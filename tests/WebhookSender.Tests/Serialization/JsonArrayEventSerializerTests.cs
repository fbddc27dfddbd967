using System.Text.Json;
using Snapshooter.Xunit;

namespace WebhookSender.Tests.Serialization;

public class JsonArrayEventSerializerTests
{
    private readonly JsonArrayEventSerializer _serializer = new();

    [Fact]
    public void Declares_its_format_and_media_type()
    {
        Assert.Equal("jsonarray", _serializer.Format);
        Assert.Equal("application/json", _serializer.MediaType);
    }

    [Fact]
    public void Envelope_golden() => Snapshot.Match(SerializationSamples.SerializeToText(_serializer, SerializationSamples.Envelope));

    [Fact]
    public void Batch_golden() => Snapshot.Match(SerializationSamples.SerializeToText(_serializer, SerializationSamples.Batch));

    [Fact]
    public void Raw_value_golden() => Snapshot.Match(SerializationSamples.SerializeToText(_serializer, SerializationSamples.RawString));

    [Fact]
    public void An_envelope_is_the_json_body_in_brackets()
    {
        string json = SerializationSamples.SerializeToText(new JsonEventSerializer(), SerializationSamples.Envelope);
        string jsonArray = SerializationSamples.SerializeToText(_serializer, SerializationSamples.Envelope);

        Assert.Equal("[" + json + "]", jsonArray);
    }

    [Theory]
    [MemberData(nameof(SerializationSamples.AnyJsonValue), MemberType = typeof(SerializationSamples))]
    public void Any_value_reads_back_with_System_Text_Json(string json)
    {
        var payload = SerializationSamples.Parse(json);

        using var parsed = JsonDocument.Parse(SerializationSamples.Serialize(_serializer, json));

        Assert.Equal(JsonValueKind.Array, parsed.RootElement.ValueKind);
        if (payload.ValueKind == JsonValueKind.Array)
        {
            Assert.Equal(SerializationSamples.Canonical(payload), SerializationSamples.Canonical(parsed.RootElement));
        }
        else
        {
            Assert.Equal(SerializationSamples.Canonical(payload), SerializationSamples.Canonical(Assert.Single(parsed.RootElement.EnumerateArray())));
        }
    }

    [Theory]
    [InlineData("42", "[42]")]
    [InlineData("null", "[null]")]
    [InlineData("\"a\"", "[\"a\"]")]
    [InlineData("{}", "[{}]")]
    [InlineData("[]", "[]")]
    [InlineData("[[]]", "[[]]")]
    [InlineData("[ 1 , {\"a\" : 1e-7} ]", "[1,{\"a\":1e-7}]")]
    public void Wraps_everything_but_an_array_and_writes_compactly(string json, string expected) =>
        Assert.Equal(expected, SerializationSamples.SerializeToText(_serializer, json));
}
