using System.Text.Json;
using WebhookSender.StoreContract;

namespace WebhookSender.InMemory.Tests.Messages;

/// <summary>The store's bounds count bytes too, not only items (issue 19, item 2).</summary>
public sealed class ByteBoundTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly JsonElement LargeData = JsonSerializer.SerializeToElement(new { text = new string('x', 300 * 1024) });

    [Fact]
    public async Task A_publish_past_the_payload_bytes_of_pending_messages_is_refused_and_nothing_is_stored()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxRetainedPayloadBytes = 1024 * 1024);
        for (int i = 0; i < 3; i++)
        {
            await store.AddMessageAsync(Large($"msg_{i}"), [ContractData.Delivery($"dlv_{i}", $"msg_{i}")], None);
        }

        // Counted by items only, the default cap of 100,000 pending deliveries let 300 KB messages take 30 GB.
        var refused = await Assert.ThrowsAsync<WebhookCapacityExceededException>(
            () => store.AddMessageAsync(Large("msg_3"), [ContractData.Delivery("dlv_3", "msg_3")], None));

        Assert.Contains("MaxRetainedPayloadBytes", refused.Message);
        Assert.Contains("nothing was stored", refused.Message);
        Assert.Null(await store.GetMessageAsync("msg_3", None));
        Assert.Null(await store.GetDeliveryAsync("dlv_3", None));
        Assert.Equal(3, (await store.ListDeliveriesAsync(new DeliveryQuery(), None)).Items.Count);
    }

    [Fact]
    public async Task Completed_messages_make_room_oldest_first_when_the_payload_bytes_are_reached()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxRetainedPayloadBytes = 1024 * 1024);
        for (int i = 0; i < 3; i++)
        {
            await store.AddMessageAsync(Large($"msg_{i}"), [ContractData.Delivery($"dlv_{i}", $"msg_{i}")], None);
        }

        await store.LeaseAndSucceedAsync("dlv_0");
        await store.AddMessageAsync(Large("msg_3"), [ContractData.Delivery("dlv_3", "msg_3")], None);

        Assert.Null(await store.GetMessageAsync("msg_0", None));
        Assert.NotNull(await store.GetMessageAsync("msg_1", None));
        Assert.NotNull(await store.GetMessageAsync("msg_3", None));
    }

    [Fact]
    public async Task The_attempt_log_drops_the_oldest_attempts_beyond_its_bytes()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxAttemptBytes = 256 * 1024);
        for (int i = 0; i < 10; i++)
        {
            // Each with a response body of its own (60 KB): four fit in 256 KiB.
            await store.AddAttemptAsync(WithResponse(ContractData.Attempt(Guid.NewGuid(), TestData.Start.AddMinutes(i)), new string((char)('a' + i), 60 * 1024)), None);
        }

        var kept = (await store.ListAttemptsAsync(new AttemptQuery(), None)).Items;

        Assert.Equal([9, 8, 7, 6], kept.Select(a => (int)(a.StartedAt - TestData.Start).TotalMinutes));
        Assert.All(kept, a => Assert.Equal(60 * 1024, a.Response!.Body.Length));
    }

    [Fact]
    public async Task Attempts_that_sent_the_same_body_for_a_message_keep_one_copy_of_it()
    {
        var store = TestData.Store(TestData.Clock(), o => o.MaxAttemptBytes = 1024 * 1024);
        string body = "{\"data\":\"" + new string('y', 60 * 1024) + "\"}";
        for (int i = 0; i < 100; i++)
        {
            // A new string each time, as a retry after the payload cache turned over would bring.
            var attempt = ContractData.Attempt(Guid.NewGuid(), TestData.Start.AddSeconds(i));
            await store.AddAttemptAsync(attempt with { Request = attempt.Request with { Body = new string(body.AsSpan()) } }, None);
        }

        // 100 copies would be 6 MB; one copy and 100 small records fit in 1 MiB.
        var kept = (await store.ListAttemptsAsync(new AttemptQuery { Limit = 1000 }, None)).Items;
        Assert.Equal(100, kept.Count);
        Assert.All(kept, a => Assert.Equal(body, a.Request.Body));
    }

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("Grüße, 東京, emoji 🎉")]
    [InlineData("a lone surrogate \ud800 stays as it came")]
    [InlineData("")]
    public async Task Bodies_read_back_exactly_as_they_were_logged(string text)
    {
        var store = TestData.Store(TestData.Clock());
        var attempt = WithResponse(ContractData.Attempt(Guid.NewGuid(), TestData.Start), text + " (response)");
        attempt = attempt with { Request = attempt.Request with { Body = text } };
        await store.AddAttemptAsync(attempt, None);

        var read = Assert.Single((await store.ListAttemptsAsync(new AttemptQuery(), None)).Items);

        Assert.Equal(text, read.Request.Body);
        Assert.Equal(text + " (response)", read.Response!.Body);

        // The log keeps the headers and warnings, not the caller's collections: they come back as equal, fresh ones.
        Assert.Equal(attempt, read with { Request = read.Request with { Headers = attempt.Request.Headers }, Response = read.Response with { Headers = attempt.Response!.Headers }, Warnings = attempt.Warnings });
        Assert.Equal(attempt.Request.Headers, read.Request.Headers);
        Assert.Equal(attempt.Warnings, read.Warnings);
    }

    private static WebhookMessage Large(string id) => ContractData.Message(id) with { Data = LargeData };

    private static DeliveryAttempt WithResponse(DeliveryAttempt attempt, string body) =>
        attempt with { Response = new AttemptResponse(500, new Dictionary<string, string>(), body) };
}
