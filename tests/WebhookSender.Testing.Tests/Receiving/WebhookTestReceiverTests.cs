using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace WebhookSender.Testing.Tests.Receiving;

public sealed class WebhookTestReceiverTests : IAsyncLifetime
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(10);

    private WebhookTestReceiver _receiver = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookTestReceiver.StartAsync();
        _client = CreateClient(_receiver, Timeout.InfiniteTimeSpan);
        _client.Timeout = TimeSpan.FromSeconds(30);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public void Listens_on_IPv4_loopback_only()
    {
        Assert.Equal(Uri.UriSchemeHttp, _receiver.BaseAddress.Scheme);
        Assert.Equal(IPAddress.Loopback, IPAddress.Parse(_receiver.BaseAddress.Host));
        Assert.NotEqual(0, _receiver.BaseAddress.Port);
        Assert.Equal("/", _receiver.BaseAddress.AbsolutePath);
        Assert.Equal(new Uri(_receiver.BaseAddress, "/hooks/a?x=1"), _receiver.UrlFor("hooks/a?x=1"));
    }

    [Fact]
    public async Task Records_method_path_headers_and_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _receiver.UrlFor("/hooks/orders?tenant=7"))
        {
            Content = new StringContent("""{"type":"order.created"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", "msg_1");
        request.Headers.Add("X-Multi", ["a", "b"]);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        var received = Assert.Single(_receiver.Received);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/hooks/orders?tenant=7", received.Path);
        Assert.Equal("""{"type":"order.created"}""", received.BodyText);
        Assert.Equal(Encoding.UTF8.GetBytes("""{"type":"order.created"}"""), received.Body);
        Assert.Equal("msg_1", received.WebhookId);
        Assert.Equal("msg_1", received.Headers["WEBHOOK-ID"]);
        Assert.Equal("a, b", received.Headers["x-multi"]);
        Assert.Equal("application/json; charset=utf-8", received.ContentType);
        Assert.Equal(1, received.AttemptNumberForPath);
        Assert.Null(received.SignatureValid);
        Assert.InRange(received.ReceivedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Same(received, Assert.Single(_receiver.ReceivedOn("/hooks/orders")));
        Assert.Empty(_receiver.ReceivedOn("/hooks/other"));
    }

    [Fact]
    public async Task Counts_attempts_per_path_and_lists_distinct_webhook_ids()
    {
        await PostAsync("/a", webhookId: "msg_1");
        await PostAsync("/b", webhookId: "msg_2");
        await PostAsync("/a?retry=1", webhookId: "msg_1");

        Assert.Equal([1, 2], _receiver.ReceivedOn("a").Select(r => r.AttemptNumberForPath));
        Assert.Equal([1], _receiver.ReceivedOn("/b").Select(r => r.AttemptNumberForPath));
        Assert.Equal(["msg_1", "msg_2"], _receiver.DistinctWebhookIds);
        Assert.Throws<ArgumentException>(() => _receiver.ReceivedOn("/a?retry=1"));
    }

    [Fact]
    public async Task Received_is_a_snapshot()
    {
        await PostAsync("/a");
        var before = _receiver.Received;

        await PostAsync("/a");

        Assert.Single(before);
        Assert.Equal(2, _receiver.Received.Count);
    }

    [Fact]
    public async Task FailTimesThenOk_fails_then_succeeds()
    {
        _receiver.Respond("/flaky", ReceiverResponse.FailTimesThenOk(2));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await PostAsync("/flaky");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.OK], statuses);
        Assert.Equal([1, 2, 3], _receiver.ReceivedOn("/flaky").Select(r => r.AttemptNumberForPath));
    }

    [Fact]
    public async Task Sequence_follows_the_list_and_repeats_the_last_response()
    {
        _receiver.Respond("/seq", ReceiverResponse.Sequence(ReceiverResponse.Status(502, "bad gateway"), ReceiverResponse.Gone()));

        using var first = await PostAsync("/seq");
        using var second = await PostAsync("/seq");
        using var third = await PostAsync("/seq");

        Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        Assert.Equal("bad gateway", await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, third.StatusCode);
    }

    [Fact]
    public async Task Responder_function_sees_the_recorded_request()
    {
        _receiver.Respond("/echo", received => received.WebhookId == "msg_ok" ? ReceiverResponse.Ok() : ReceiverResponse.Status(400, received.BodyText));

        using var accepted = await PostAsync("/echo", webhookId: "msg_ok");
        using var rejected = await PostAsync("/echo", body: "nope", webhookId: "msg_bad");

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal("nope", await rejected.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TooManyRequests_and_ServiceUnavailable_send_Retry_After_in_whole_seconds()
    {
        _receiver.Respond("/429", ReceiverResponse.TooManyRequests(TimeSpan.FromSeconds(30)));
        _receiver.Respond("/503", ReceiverResponse.ServiceUnavailable(TimeSpan.FromMilliseconds(1500)));
        _receiver.Respond("/503-bare", ReceiverResponse.ServiceUnavailable(null));

        using var tooMany = await PostAsync("/429");
        using var unavailable = await PostAsync("/503");
        using var bare = await PostAsync("/503-bare");

        Assert.Equal(HttpStatusCode.TooManyRequests, tooMany.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), tooMany.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(["2"], unavailable.Headers.GetValues("Retry-After"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, bare.StatusCode);
        Assert.Null(bare.Headers.RetryAfter);
    }

    [Fact]
    public async Task Redirect_answers_302_with_Location()
    {
        _receiver.Respond("/moved", ReceiverResponse.Redirect("https://example.invalid/new-home"));

        using var response = await PostAsync("/moved");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(new Uri("https://example.invalid/new-home"), response.Headers.Location);
    }

    [Fact]
    public async Task Reset_drops_the_connection_and_still_records_the_request()
    {
        _receiver.Respond("/reset", ReceiverResponse.Reset());

        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync("/reset"));

        Assert.Single(_receiver.ReceivedOn("/reset"));
    }

    [Fact]
    public async Task LargeBody_streams_the_requested_number_of_bytes()
    {
        const int size = 5 * 1024 * 1024;
        _receiver.Respond("/large", ReceiverResponse.LargeBody(size));

        using var response = await PostAsync("/large");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        Assert.Equal(size, body.Length);
    }

    [Fact]
    public async Task Hang_makes_a_client_with_a_short_timeout_give_up_and_the_receiver_still_disposes_promptly()
    {
        var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/slow", ReceiverResponse.Hang(TimeSpan.FromMinutes(5)));
        using var handler = new SocketsHttpHandler { UseProxy = false };
        using var patientClient = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
        using var impatientClient = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromMilliseconds(200) };

        // Open the pooled connection first, so the 200 ms budget is spent waiting for the hang rather than connecting.
        using (var warmUp = await patientClient.PostAsync(receiver.UrlFor("/warm-up"), new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var exception = await Assert.ThrowsAsync<TaskCanceledException>(
            () => impatientClient.PostAsync(receiver.UrlFor("/slow"), new StringContent("{}")));
        Assert.IsType<TimeoutException>(exception.InnerException);

        var disposeTimer = Stopwatch.StartNew();
        await receiver.DisposeAsync();
        disposeTimer.Stop();

        Assert.True(disposeTimer.Elapsed < TimeSpan.FromSeconds(3), $"Disposal took {disposeTimer.Elapsed}.");
    }

    [Fact]
    public async Task Disposing_while_a_hang_is_in_flight_aborts_it_promptly()
    {
        var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/slow", ReceiverResponse.Hang(Timeout.InfiniteTimeSpan));
        using var client = CreateClient(receiver, TimeSpan.FromMinutes(1));
        var pending = client.PostAsync(receiver.UrlFor("/slow"), new StringContent("{}"));
        await receiver.WaitForCountAsync("/slow", 1, WaitTimeout);

        var disposeTimer = Stopwatch.StartNew();
        await receiver.DisposeAsync();
        disposeTimer.Stop();

        Assert.True(disposeTimer.Elapsed < TimeSpan.FromSeconds(1.5), $"Disposal took {disposeTimer.Elapsed}.");
        await Assert.ThrowsAsync<HttpRequestException>(() => pending);
    }

    [Fact]
    public async Task WaitForAsync_completes_when_a_later_request_satisfies_the_condition()
    {
        var waiting = _receiver.WaitForAsync(all => all.Count(r => r.WebhookId == "msg_done") == 1, WaitTimeout);
        await PostAsync("/a", webhookId: "msg_other");
        Assert.False(waiting.IsCompleted);

        await PostAsync("/a", webhookId: "msg_done");
        var seen = await waiting;

        Assert.Equal(["msg_other", "msg_done"], seen.Select(r => r.WebhookId));
    }

    [Fact]
    public async Task WaitForAsync_completes_at_once_when_the_condition_already_holds()
    {
        await PostAsync("/a");

        var seen = await _receiver.WaitForAsync(all => all.Count == 1, TimeSpan.FromMilliseconds(1));

        Assert.Single(seen);
    }

    [Fact]
    public async Task WaitForAsync_times_out_naming_the_counts_per_path()
    {
        await PostAsync("/a");
        await PostAsync("/a");
        await PostAsync("/b");

        var exception = await Assert.ThrowsAsync<TimeoutException>(
            () => _receiver.WaitForAsync(all => all.Count >= 10, TimeSpan.FromMilliseconds(200)));

        Assert.Contains("Received 3 request(s)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'/a': 2", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'/b': 1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForCountAsync_returns_the_requests_on_the_path_or_times_out_saying_what_it_waited_for()
    {
        await PostAsync("/other");
        var waiting = _receiver.WaitForCountAsync("/target", 2, WaitTimeout);
        await PostAsync("/target");
        await PostAsync("/target");

        var onTarget = await waiting;
        var exception = await Assert.ThrowsAsync<TimeoutException>(
            () => _receiver.WaitForCountAsync("/target", 3, TimeSpan.FromMilliseconds(100)));

        Assert.Equal(["/target", "/target"], onTarget.Select(r => r.Path));
        Assert.Contains("3 request(s) on '/target'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'/target': 2", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'/other': 1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForAsync_surfaces_an_exception_thrown_by_the_condition()
    {
        var waiting = _receiver.WaitForAsync(all => all.Count > 0 ? throw new InvalidOperationException("boom") : false, WaitTimeout);

        await PostAsync("/a");

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting);
        Assert.Equal("boom", exception.Message);
    }

    [Fact]
    public async Task Pending_wait_fails_when_the_receiver_is_disposed()
    {
        var receiver = await WebhookTestReceiver.StartAsync();
        var waiting = receiver.WaitForAsync(all => all.Count > 0, TimeSpan.FromMinutes(1));

        await receiver.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
    }

    [Fact]
    public async Task SignatureValid_is_true_for_a_correctly_signed_request_and_false_for_a_tampered_one()
    {
        var secret = TestSignatures.NewSecret();
        _receiver.UseSecret("/signed", secret);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes("""{"type":"order.created","data":{"id":1}}""");
        var signature = TestSignatures.Sign(secret, "msg_signed", timestamp, body);

        await SendSignedAsync("/signed", "msg_signed", timestamp, signature, body);
        await SendSignedAsync("/signed", "msg_signed", timestamp, signature, Encoding.UTF8.GetBytes("""{"type":"order.created","data":{"id":2}}"""));
        await SendSignedAsync("/signed", "msg_signed", timestamp, signature: null, body);
        await SendSignedAsync("/unsigned", "msg_signed", timestamp, signature, body);

        Assert.Equal([true, false, false], _receiver.ReceivedOn("/signed").Select(r => r.SignatureValid));
        Assert.Null(Assert.Single(_receiver.ReceivedOn("/unsigned")).SignatureValid);
    }

    [Fact]
    public void Path_arguments_are_validated()
    {
        Assert.Throws<ArgumentException>(() => _receiver.Respond("/a?b=c", ReceiverResponse.Ok()));
        Assert.Throws<ArgumentException>(() => _receiver.UseSecret("/a", "whsec_%%%"));
        Assert.ThrowsAny<ArgumentException>(() => { _ = _receiver.WaitForCountAsync("", 1, WaitTimeout); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _receiver.WaitForCountAsync("/a", 0, WaitTimeout); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _receiver.WaitForAsync(_ => true, TimeSpan.Zero); });
        Assert.Throws<ArgumentOutOfRangeException>(() => ReceiverResponse.Status(99));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReceiverResponse.FailTimesThenOk(1, 200));
        Assert.Throws<ArgumentException>(() => ReceiverResponse.Sequence());
    }

    private static HttpClient CreateClient(WebhookTestReceiver receiver, TimeSpan timeout) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = receiver.BaseAddress,
            Timeout = timeout,
        };

    private async Task<HttpResponseMessage> PostAsync(string path, string body = "{}", string? webhookId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _receiver.UrlFor(path))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (webhookId is not null)
        {
            request.Headers.Add("webhook-id", webhookId);
        }

        return await _client.SendAsync(request);
    }

    private async Task SendSignedAsync(string path, string id, string timestamp, string? signature, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _receiver.UrlFor(path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        if (signature is not null)
        {
            request.Headers.Add("webhook-signature", signature);
        }

        using var response = await _client.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
