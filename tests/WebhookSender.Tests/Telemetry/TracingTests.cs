using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Telemetry;

/// <summary>The spans: publish (producer), deliver (internal, linked to the publish), HttpClient's client span under it, and <c>traceparent</c>.</summary>
public class TracingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_delivery_span_is_internal_and_links_to_the_context_the_message_was_published_in()
    {
        using var spans = new ActivityRecorder();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        await host.SubscribeAsync(new Uri(receiver.UrlFor("/hooks/T0001/s3cr3t-path") + "?token=s3cr3t-query"));

        PublishResult published;
        ActivityContext request;
        using (var caller = new Activity("test.request").Start())
        {
            request = caller.Context;
            published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        }

        var publish = await spans.PublishOfAsync(published.MessageId);
        var deliver = await spans.DeliveryOfAsync(published.MessageId);

        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal((request.TraceId, request.SpanId), (publish.TraceId, publish.ParentSpanId));

        Assert.Equal(ActivityKind.Internal, deliver.Kind);
        Assert.Equal(default(ActivitySpanId), deliver.ParentSpanId); // a trace of its own: retries may run days later
        Assert.NotEqual(request.TraceId, deliver.TraceId);
        var link = Assert.Single(deliver.Links);
        Assert.Equal((publish.TraceId, publish.SpanId), (link.Context.TraceId, link.Context.SpanId));

        Assert.Equal("webhooks", deliver.GetTagItem("messaging.system"));
        Assert.Equal("process", deliver.GetTagItem("messaging.operation.type"));
        Assert.Equal("send", publish.GetTagItem("messaging.operation.type"));
        Assert.Equal("order.created", deliver.GetTagItem("webhooks.event_type"));
        Assert.Equal("success", deliver.GetTagItem("webhooks.outcome"));
        Assert.Equal(200, deliver.GetTagItem("http.response.status_code"));
        Assert.Equal("127.0.0.1", deliver.GetTagItem("server.address"));
        Assert.Equal(receiver.BaseAddress.Port, deliver.GetTagItem("server.port"));
        Assert.Null(deliver.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, deliver.Status);
        Assert.All(deliver.TagObjects.Concat(publish.TagObjects), tag => Assert.DoesNotContain("s3cr3t", tag.Value?.ToString() ?? string.Empty));

        // HttpClient's own span is the client one, under the delivery span.
        var http = Assert.Single(spans.HttpClientSpansUnder(deliver));
        Assert.Equal(ActivityKind.Client, http.Kind);
    }

    [Fact]
    public async Task A_failed_attempt_sets_the_error_status_and_type()
    {
        using var spans = new ActivityRecorder();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/fails", ReceiverResponse.Status(503));
        await using var host = await TestHost.StartAsync(o => o.RetrySchedule = [TimeSpan.FromHours(1)]);
        await host.SubscribeAsync(receiver.UrlFor("/fails"));

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var deliver = await spans.DeliveryOfAsync(published.MessageId);
        Assert.Equal("failure", deliver.GetTagItem("webhooks.outcome"));
        Assert.Equal("503", deliver.GetTagItem("error.type"));
        Assert.Equal(503, deliver.GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, deliver.Status);
        Assert.Equal("The endpoint answered 503 Service Unavailable.", deliver.StatusDescription);
    }

    [Fact]
    public async Task A_batch_span_links_to_each_context_its_messages_were_published_in()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 10, TimeSpan.Zero));
        using var spans = new ActivityRecorder();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(time: time);
        await host.Subscriptions.CreateAsync(new()
        {
            Url = receiver.UrlFor("/batch"),
            Format = WebhookFormats.JsonArray,
            Batching = new() { Window = TimeSpan.FromMinutes(1), MaxSize = 10 },
        });

        var publishes = new List<ActivityContext>();
        for (int i = 0; i < 4; i++)
        {
            using var caller = new Activity("test.request").Start();
            var published = await host.Publisher.PublishAsync(new WebhookEvent(i == 3 ? "order.updated" : "order.created", new { n = i }));
            publishes.Add((await spans.PublishOfAsync(published.MessageId)).Context);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        var batch = Assert.Single(await receiver.WaitForCountAsync("/batch", 1, Wait));

        var deliver = await spans.DeliveryOfAsync(batch.WebhookId!);
        Assert.Equal(4, deliver.GetTagItem("messaging.batch.message_count"));
        Assert.Null(deliver.GetTagItem("webhooks.event_type")); // mixed types
        Assert.Equal(publishes.Select(p => $"{p.TraceId}-{p.SpanId}").Order(), deliver.Links.Select(l => $"{l.Context.TraceId}-{l.Context.SpanId}").Order());
    }

    [Fact]
    public async Task With_PropagateTraceContext_the_receiver_gets_a_traceparent_in_the_delivery_trace_and_nothing_else_of_it()
    {
        // A sampler that sets a tracestate, and baggage on the delivery span: neither may leave the host.
        using var spans = new ActivityRecorder(traceState: "vendor=internal", started: a =>
        {
            if (a.OperationName == WebhookTelemetry.DeliverActivityName)
            {
                a.AddBaggage("tenant.plan", "internal");
            }
        });
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o => o.PropagateTraceContext = true);
        await host.SubscribeAsync(receiver.UrlFor("/traced"));

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var received = Assert.Single(await receiver.WaitForCountAsync("/traced", 1, Wait));
        var deliver = await spans.DeliveryOfAsync(published.MessageId);
        var http = Assert.Single(spans.HttpClientSpansUnder(deliver));
        Assert.True(received.Headers.TryGetValue("traceparent", out string? traceParent), "no traceparent header");
        Assert.True(ActivityContext.TryParse(traceParent, null, out var sent), $"invalid traceparent '{traceParent}'");
        Assert.Equal(deliver.TraceId, sent.TraceId);
        Assert.Equal(http.SpanId, sent.SpanId); // the receiver's span is a child of HttpClient's
        Assert.Equal(ActivityTraceFlags.Recorded, sent.TraceFlags);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", traceParent);
        Assert.Equal("vendor=internal", deliver.TraceStateString); // so the check below means something
        AssertNoOtherTraceHeaders(received);
    }

    [Fact]
    public async Task Without_PropagateTraceContext_no_trace_header_is_sent_even_while_HttpClient_spans_are_recorded()
    {
        using var spans = new ActivityRecorder(traceState: "vendor=internal");
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        await host.SubscribeAsync(receiver.UrlFor("/untraced"));

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var received = Assert.Single(await receiver.WaitForCountAsync("/untraced", 1, Wait));
        var deliver = await spans.DeliveryOfAsync(published.MessageId);
        Assert.Single(spans.HttpClientSpansUnder(deliver)); // HttpClient's span is made, and would have been propagated
        Assert.False(received.Headers.ContainsKey("traceparent"), $"traceparent sent: {received.Headers.GetValueOrDefault("traceparent")}");
        AssertNoOtherTraceHeaders(received);
    }

    private static void AssertNoOtherTraceHeaders(ReceivedWebhook received)
    {
        foreach (string name in new[] { "tracestate", "baggage", "Correlation-Context", "Request-Id" })
        {
            Assert.False(received.Headers.ContainsKey(name), $"{name} sent: {received.Headers.GetValueOrDefault(name)}");
        }
    }
}
