using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Snapshooter.Xunit;

namespace WebhookSender.Tests.Serialization;

public class XmlEventSerializerTests
{
    private const string Declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

    private readonly XmlEventSerializer _serializer = new();

    [Fact]
    public void Declares_its_format_and_media_type()
    {
        Assert.Equal("xml", _serializer.Format);
        Assert.Equal("application/xml; charset=utf-8", _serializer.MediaType);
    }

    [Fact]
    public void Envelope_golden() => Snapshot.Match(SerializationSamples.SerializeToText(_serializer, SerializationSamples.Envelope));

    [Fact]
    public void Batch_golden() => Snapshot.Match(SerializationSamples.SerializeToText(_serializer, SerializationSamples.Batch));

    [Fact]
    public void Raw_value_golden() => Snapshot.Match(SerializationSamples.SerializeToText(_serializer, SerializationSamples.RawString));

    [Theory]
    [MemberData(nameof(SerializationSamples.AnyJsonValue), MemberType = typeof(SerializationSamples))]
    public void Any_value_reads_back_with_XDocument_by_the_documented_rules(string json)
    {
        byte[] body = SerializationSamples.Serialize(_serializer, json);

        string readBack = IndependentXmlReader.ToCanonicalJson(SerializationSamples.Decode(body));

        Assert.Equal(SerializationSamples.Canonical(json, SerializationSamples.XmlSafe), readBack);
    }

    [Theory]
    [MemberData(nameof(SerializationSamples.AnyJsonValue), MemberType = typeof(SerializationSamples))]
    public void Is_utf8_without_a_byte_order_mark_and_well_formed_for_a_strict_reader(string json)
    {
        byte[] body = SerializationSamples.Serialize(_serializer, json);

        Assert.Equal((byte)'<', body[0]);
        Assert.StartsWith(Declaration, SerializationSamples.Decode(body), StringComparison.Ordinal);
        using var reader = XmlReader.Create(new MemoryStream(body), new XmlReaderSettings { CheckCharacters = true, DtdProcessing = DtdProcessing.Prohibit });
        while (reader.Read())
        {
        }
    }

    [Theory]
    [InlineData("{\"a\":\"text\"}", "<webhook><a>text</a></webhook>")]
    [InlineData("{\"a\":\"\"}", "<webhook><a></a></webhook>")]
    [InlineData("{\"a\":null}", "<webhook><a nil=\"true\" /></webhook>")]
    [InlineData("{\"a\":true,\"b\":false}", "<webhook><a type=\"boolean\">true</a><b type=\"boolean\">false</b></webhook>")]
    [InlineData("{\"a\":12345678901234567890,\"b\":1e-7,\"c\":1.5E+300,\"d\":-0.000001,\"e\":-0}", "<webhook><a type=\"number\">12345678901234567890</a><b type=\"number\">1e-7</b><c type=\"number\">1.5E+300</c><d type=\"number\">-0.000001</d><e type=\"number\">-0</e></webhook>")]
    [InlineData("{\"a\":{\"b\":{\"c\":1}}}", "<webhook><a><b><c type=\"number\">1</c></b></a></webhook>")]
    [InlineData("{\"a\":{}}", "<webhook><a type=\"object\" /></webhook>")]
    [InlineData("{\"a\":[]}", "<webhook><a type=\"array\" /></webhook>")]
    [InlineData("{\"a\":[\"x\",null,[1],{}]}", "<webhook><a type=\"array\"><item>x</item><item nil=\"true\" /><item type=\"array\"><item type=\"number\">1</item></item><item type=\"object\" /></a></webhook>")]
    [InlineData("{\"item\":1}", "<webhook><item type=\"number\">1</item></webhook>")]
    [InlineData("{\"first name\":1,\"1st\":2,\"a:b\":3,\"_x0020_\":4,\"a\\u0020b\":5}", "<webhook><first_x0020_name type=\"number\">1</first_x0020_name><_x0031_st type=\"number\">2</_x0031_st><a_x003A_b type=\"number\">3</a_x003A_b><_x005F_x0020_ type=\"number\">4</_x005F_x0020_><a_x0020_b type=\"number\">5</a_x0020_b></webhook>")]
    [InlineData("{\"\":\"x\"}", "<webhook><_ name=\"\">x</_></webhook>")]
    [InlineData("{\"\u00e9t\u00e9\":\"\u2713\",\"\ud83d\ude00\":1}", "<webhook><\u00e9t\u00e9>\u2713</\u00e9t\u00e9><_x0001F600_ type=\"number\">1</_x0001F600_></webhook>")]
    [InlineData("{\"a\":\"<b>&amp;</b> \\\"q\\\" 'a' ]]>\"}", "<webhook><a>&lt;b&gt;&amp;amp;&lt;/b&gt; \"q\" 'a' ]]&gt;</a></webhook>")]
    [InlineData("{\"a\":\"tab\\t lf\\n cr\\r crlf\\r\\n\"}", "<webhook><a>tab\t lf\n cr&#xD; crlf&#xD;\n</a></webhook>")]
    [InlineData("{\"a\":\"nul\\u0000 bell\\u0007 esc\\u001b \\ufffe\\uffff end\"}", "<webhook><a>nul\uFFFD bell\uFFFD esc\uFFFD \uFFFD\uFFFD end</a></webhook>")]
    [InlineData("{\"a\":\"lone \\ud800 \\udc00 x\\ud83dy pair \\ud83d\\ude00\"}", "<webhook><a>lone \uFFFD \uFFFD x\uFFFDy pair \ud83d\ude00</a></webhook>")]
    [InlineData("{\"a\\u0001\":1}", "<webhook><a_x0001_ type=\"number\">1</a_x0001_></webhook>")]
    [InlineData("{}", "<webhook type=\"object\" />")]
    [InlineData("42", "<webhook type=\"number\">42</webhook>")]
    [InlineData("null", "<webhook nil=\"true\" />")]
    [InlineData("\"x\"", "<webhook>x</webhook>")]
    [InlineData("[]", "<webhooks />")]
    [InlineData("[{\"a\":1},2,[]]", "<webhooks><webhook><a type=\"number\">1</a></webhook><webhook type=\"number\">2</webhook><webhook type=\"array\" /></webhooks>")]
    public void Follows_the_documented_rules(string json, string expected) =>
        Assert.Equal(Declaration + expected, SerializationSamples.SerializeToText(_serializer, json));

    [Fact]
    public void Unpaired_surrogates_and_forbidden_characters_are_replaced_in_text_but_names_stay_exact()
    {
        string xml = SerializationSamples.SerializeToText(_serializer, "{\"a\\u0007b\":\"x\\u0007\\ud800y\"}");

        var member = Assert.Single(XDocument.Parse(xml).Root!.Elements());
        Assert.Equal("a\u0007b", IndependentXmlReader.MemberName(member));
        Assert.Equal("a\u0007b", XmlConvert.DecodeName(member.Name.LocalName));
        Assert.Equal("x\uFFFD\uFFFDy", member.Value);
    }

    [Fact]
    public void Many_distinct_names_and_long_text_come_back_exactly()
    {
        var data = new Dictionary<string, string>();
        for (int i = 0; i < 1000; i++)
        {
            data[$"field {i}"] = new string('\u00e9', i * 7) + "\u2713\ud83d\ude00";
        }

        data["long"] = string.Concat(Enumerable.Repeat("a < b & \u05e9\u05dc\u05d5\u05dd \ud83d\ude00 ", 20_000));
        string json = JsonSerializer.Serialize(data);

        for (int round = 0; round < 2; round++)
        {
            string xml = SerializationSamples.SerializeToText(_serializer, json);
            Assert.Equal(SerializationSamples.Canonical(json), IndependentXmlReader.ToCanonicalJson(xml));
        }
    }

    [Fact]
    public void Deep_nesting_within_the_JSON_reader_limit_is_written()
    {
        string json = string.Concat(Enumerable.Repeat("{\"a\":[", 31)) + "1" + string.Concat(Enumerable.Repeat("]}", 31));

        string xml = SerializationSamples.SerializeToText(_serializer, json);

        Assert.Equal(SerializationSamples.Canonical(json), IndependentXmlReader.ToCanonicalJson(xml));
    }

    [Fact]
    public void Writes_concurrently_from_many_threads()
    {
        string expected = SerializationSamples.SerializeToText(_serializer, SerializationSamples.Envelope);

        Parallel.For(0, 200, _ => Assert.Equal(expected, SerializationSamples.SerializeToText(_serializer, SerializationSamples.Envelope)));
    }

    [Fact]
    public void An_undefined_element_is_refused_with_a_clear_message()
    {
        var exception = Assert.Throws<ArgumentException>(() => _serializer.Serialize(default, new ArrayBufferWriter<byte>()));
        Assert.Contains("undefined", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Appends_to_what_the_output_already_holds()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("prefix"u8);

        _serializer.Serialize(SerializationSamples.Parse("{\"a\":1}"), output);

        Assert.Equal("prefix" + Declaration + "<webhook><a type=\"number\">1</a></webhook>", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
