using System.Text.Json;

namespace WebhookSender.Tests.DeliveryLog;

public class RecordedHeadersTests
{
    private static readonly RecordedHeaders Headers = new(["webhook-id", "msg_1", "User-Agent", "WebhookSender/1.0", "Authorization", "[redacted]"]);

    [Fact]
    public void Looks_up_names_without_regard_to_case_and_keeps_the_order_they_were_sent_in()
    {
        Assert.Equal(3, Headers.Count);
        Assert.Equal("WebhookSender/1.0", Headers["user-agent"]);
        Assert.True(Headers.TryGetValue("WEBHOOK-ID", out var id));
        Assert.Equal("msg_1", id);
        Assert.False(Headers.ContainsKey("cookie"));
        Assert.Equal(["webhook-id", "User-Agent", "Authorization"], Headers.Keys);
        Assert.Equal(["msg_1", "WebhookSender/1.0", "[redacted]"], Headers.Values);
        var missing = Assert.Throws<KeyNotFoundException>(() => Headers["cookie"]);
        Assert.Contains("'cookie'", missing.Message);
    }

    [Fact]
    public void Serializes_as_a_json_object_and_reads_back_as_a_dictionary()
    {
        var request = new AttemptRequest("POST", "https://receiver.example/hooks", Headers, "{}");

        string json = JsonSerializer.Serialize(request);
        var read = JsonSerializer.Deserialize<AttemptRequest>(json)!;

        Assert.Contains("\"Headers\":{\"webhook-id\":\"msg_1\",\"User-Agent\":\"WebhookSender/1.0\",\"Authorization\":\"[redacted]\"}", json);
        Assert.Equal(Headers.ToList(), read.Headers.ToList());
    }
}
