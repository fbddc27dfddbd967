using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Snapshooter.Xunit;

namespace WebhookSender.Tests.Serialization;

public class FormEventSerializerTests
{
    private readonly FormEventSerializer _serializer = new();

    [Fact]
    public void Declares_its_format_and_media_type()
    {
        Assert.Equal("form", _serializer.Format);
        Assert.Equal("application/x-www-form-urlencoded", _serializer.MediaType);
    }

    [Fact]
    public void Envelope_golden() => Snapshot.Match(SerializationSamples.SerializeToText(_serializer, SerializationSamples.Envelope));

    [Fact]
    public void Batch_golden() => Snapshot.Match(SerializationSamples.SerializeToText(_serializer, SerializationSamples.Batch));

    [Fact]
    public void Raw_value_golden() => Snapshot.Match(SerializationSamples.SerializeToText(_serializer, SerializationSamples.RawString));

    [Theory]
    [MemberData(nameof(SerializationSamples.AnyJsonValue), MemberType = typeof(SerializationSamples))]
    public async Task Any_value_reads_back_with_the_ASP_NET_Core_form_reader_by_the_documented_rules(string json)
    {
        byte[] body = SerializationSamples.Serialize(_serializer, json);

        var pairs = await IndependentFormReader.ReadPairsAsync(body);

        var expected = IndependentFormReader.ExpectedTree(SerializationSamples.Parse(json));
        Assert.Equal(IndependentFormReader.Canonical(expected), IndependentFormReader.Canonical(IndependentFormReader.ToTree(pairs)));
    }

    [Theory]
    [MemberData(nameof(SerializationSamples.AnyJsonValue), MemberType = typeof(SerializationSamples))]
    public async Task QueryHelpers_and_the_form_reader_agree(string json)
    {
        byte[] body = SerializationSamples.Serialize(_serializer, json);

        var pairs = await IndependentFormReader.ReadPairsAsync(body);
        var query = QueryHelpers.ParseQuery(SerializationSamples.Decode(body));

        Assert.Equal(pairs.Count, query.Count);
        Assert.All(pairs, pair => Assert.Equal(pair.Value, query[pair.Key].ToString()));
    }

    [Theory]
    [MemberData(nameof(SerializationSamples.AnyJsonValue), MemberType = typeof(SerializationSamples))]
    public void Is_plain_ascii_with_only_unreserved_characters_percent_signs_and_structure(string json)
    {
        string body = SerializationSamples.SerializeToText(_serializer, json);

        Assert.All(body, c => Assert.True(char.IsAsciiLetterOrDigit(c) || "-._~%&=[]".Contains(c), $"unexpected '{c}' in {body}"));
    }

    [Theory]
    [InlineData("{\"id\":\"msg_1\",\"type\":\"order.updated\",\"data\":{\"order\":{\"id\":42},\"items\":[{\"sku\":\"A\"}]}}", "id=msg_1&type=order.updated&data[order][id]=42&data[items][0][sku]=A")]
    [InlineData("{\"a\":null,\"b\":\"\",\"c\":{},\"d\":[]}", "a=&b=&c=&d=")]
    [InlineData("{\"a\":true,\"b\":false}", "a=true&b=false")]
    [InlineData("{\"a\":12345678901234567890,\"b\":1e-7,\"c\":1.5E+300,\"d\":-0.000001,\"e\":-0}", "a=12345678901234567890&b=1e-7&c=1.5E%2B300&d=-0.000001&e=-0")]
    [InlineData("{\"a\":{\"b\":[1,{\"c\":true},[],[null,[2]]]}}", "a[b][0]=1&a[b][1][c]=true&a[b][2]=&a[b][3][0]=&a[b][3][1][0]=2")]
    [InlineData("{\"s\":\"a b+c&d=e/f?g#h%i~j\"}", "s=a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25i~j")]
    [InlineData("{\"s\":\"\u00e9\u2713\ud83d\ude00\u05e9\"}", "s=%C3%A9%E2%9C%93%F0%9F%98%80%D7%A9")]
    [InlineData("{\"s\":\"\\u00e9 \\ud83d\\ude00\"}", "s=%C3%A9%20%F0%9F%98%80")]
    [InlineData("{\"s\":\"tab\\t lf\\n cr\\r nul\\u0000 bell\\u0007 \\uffff\"}", "s=tab%09%20lf%0A%20cr%0D%20nul%00%20bell%07%20%EF%BF%BF")]
    [InlineData("{\"s\":\"lone \\ud800 \\udc00 x\\ud83dy\"}", "s=lone%20%EF%BF%BD%20%EF%BF%BD%20x%EF%BF%BDy")]
    [InlineData("{\"first name\":{\"x[y]\":1,\"a&b=c\":2,\"\\u00e9\":3}}", "first%20name[x%5By%5D]=1&first%20name[a%26b%3Dc]=2&first%20name[%C3%A9]=3")]
    [InlineData("{\"\":{\"\":1},\"b\":{\"\":2}}", "[]=1&b[]=2")]
    [InlineData("{}", "")]
    [InlineData("[]", "")]
    [InlineData("42", "value=42")]
    [InlineData("null", "value=")]
    [InlineData("true", "value=true")]
    [InlineData("\"a b\"", "value=a%20b")]
    [InlineData("[{\"id\":\"a\"},{\"id\":\"b\"}]", "0[id]=a&1[id]=b")]
    [InlineData("[1,[2],{}]", "0=1&1[0]=2&2=")]
    public void Follows_the_documented_rules(string json, string expected) =>
        Assert.Equal(expected, SerializationSamples.SerializeToText(_serializer, json));

    [Fact]
    public async Task Long_values_and_deep_keys_come_back_exactly()
    {
        string longText = string.Concat(Enumerable.Repeat("a < b & \u05e9\u05dc\u05d5\u05dd \ud83d\ude00 + ", 5_000));
        string deep = string.Concat(Enumerable.Repeat("{\"level with a long name \u00e9\":[", 31)) + JsonSerializer.Serialize(longText) + string.Concat(Enumerable.Repeat("]}", 31));
        string json = "{\"long\":" + JsonSerializer.Serialize(longText) + ",\"deep\":" + deep + "}";

        var pairs = await IndependentFormReader.ReadPairsAsync(SerializationSamples.Serialize(_serializer, json));

        Assert.Equal(longText, pairs[0].Value);
        Assert.Equal(IndependentFormReader.Canonical(IndependentFormReader.ExpectedTree(SerializationSamples.Parse(json))), IndependentFormReader.Canonical(IndependentFormReader.ToTree(pairs)));
    }

    [Fact]
    public void Writes_concurrently_from_many_threads()
    {
        string expected = SerializationSamples.SerializeToText(_serializer, SerializationSamples.Envelope);

        Parallel.For(0, 200, _ => Assert.Equal(expected, SerializationSamples.SerializeToText(_serializer, SerializationSamples.Envelope)));
    }

    [Fact]
    public void Appends_to_what_the_output_already_holds()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("prefix"u8);

        _serializer.Serialize(SerializationSamples.Parse("{\"a\":1,\"b\":2}"), output);

        Assert.Equal("prefixa=1&b=2", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
