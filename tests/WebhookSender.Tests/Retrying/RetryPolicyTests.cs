using Microsoft.Extensions.Options;

namespace WebhookSender.Tests.Retrying;

/// <summary>The one place that judges an exchange: what each kind of answer means and what follows it.</summary>
public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly RetryPolicy Policy = new(Options.Create(new WebhookOptions
    {
        RetrySchedule = [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)],
        RetryJitter = 0,
        MaxResponseBodyBytes = 100,
    }));

    private static readonly WebhookSubscription Subscription = new()
    {
        Id = "sub_1",
        Url = new Uri("https://receiver.example/hook"),
        EventTypes = ["order.created"],
        Secrets = [],
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Theory]
    [InlineData(200, false, "Succeeded", null)]
    [InlineData(204, false, "Succeeded", null)]
    [InlineData(200, true, "Failed", "The endpoint answered 200 but sent a body larger than 100 bytes (MaxResponseBodyBytes); only that much was read. Answer webhooks with a short body.")]
    [InlineData(301, false, "Failed", "The endpoint answered 301 Teapot (a redirect); redirects are never followed. Point the subscription at the final URL.")]
    [InlineData(410, false, "Gone", "The endpoint answered 410 Teapot: it asks to be unsubscribed, so the subscription is disabled.")]
    [InlineData(500, false, "Failed", "The endpoint answered 500 Teapot.")]
    public void An_answer_is_classified_by_its_status(int status, bool truncated, string outcome, string? error)
    {
        var (actualOutcome, actualError) = Policy.Classify(Answered(status, truncated), AttemptTrigger.Scheduled);

        Assert.Equal((outcome, error), (actualOutcome.ToString(), actualError));
    }

    [Fact]
    public void A_test_answered_410_says_it_leaves_the_subscription_active()
    {
        var (outcome, error) = Policy.Classify(Answered(410), AttemptTrigger.Test);

        Assert.Equal(AttemptOutcome.Gone, outcome);
        Assert.Contains("A test leaves the subscription active", error, StringComparison.Ordinal);
    }

    [Fact]
    public void No_answer_fails_with_the_senders_words()
    {
        var exchange = new HttpExchange(Now, TimeSpan.FromSeconds(1), Request(), Response: null, ReasonPhrase: null, new TransportFailure("Could not connect to receiver.example.", "connection_error"), RetryAfter: null);

        Assert.Equal((AttemptOutcome.Failed, "Could not connect to receiver.example."), Policy.Classify(exchange, AttemptTrigger.Scheduled));
    }

    [Fact]
    public void A_failure_is_due_again_on_the_schedule_until_it_is_spent()
    {
        var first = Policy.Judge(Answered(500), Subscription, Delivery(attemptCount: 0));
        var second = Policy.Judge(Answered(500), Subscription, Delivery(attemptCount: 1));
        var last = Policy.Judge(Answered(500), Subscription, Delivery(attemptCount: 2));

        Assert.Equal((DeliveryStatus.Queued, TimeSpan.FromSeconds(10)), (first.NextStatus, first.RetryIn));
        Assert.Equal((DeliveryStatus.Queued, TimeSpan.FromMinutes(5)), (second.NextStatus, second.RetryIn));
        Assert.Equal((DeliveryStatus.Failed, (TimeSpan?)null), (last.NextStatus, last.RetryIn));
    }

    [Fact]
    public void Retry_after_replaces_the_scheduled_delay_and_success_and_gone_are_never_retried()
    {
        var throttled = Policy.Judge(Answered(429) with { RetryAfter = TimeSpan.FromSeconds(42) }, Subscription, Delivery(attemptCount: 0));
        var delivered = Policy.Judge(Answered(200), Subscription, Delivery(attemptCount: 0));
        var gone = Policy.Judge(Answered(410), Subscription, Delivery(attemptCount: 0));

        Assert.Equal(TimeSpan.FromSeconds(42), throttled.RetryIn);
        Assert.Equal((DeliveryStatus.Succeeded, (TimeSpan?)null), (delivered.NextStatus, delivered.RetryIn));
        Assert.Equal((DeliveryStatus.Failed, (TimeSpan?)null), (gone.NextStatus, gone.RetryIn));
    }

    [Fact]
    public void A_ping_is_never_retried()
    {
        var verdict = Policy.Judge(Answered(500), Subscription, Delivery(attemptCount: 0) with { Trigger = AttemptTrigger.Ping });

        Assert.Equal(DeliveryStatus.Failed, verdict.NextStatus);
    }

    private static HttpExchange Answered(int status, bool truncated = false) => new(
        Now, TimeSpan.FromMilliseconds(5), Request(), new AttemptResponse(status, new Dictionary<string, string>(), string.Empty, truncated), "Teapot", Failure: null, RetryAfter: null);

    private static AttemptRequest Request() => new("POST", "https://receiver.example/hook", new Dictionary<string, string>(), "{}", BodyTruncated: false);

    private static WebhookDelivery Delivery(int attemptCount) => new()
    {
        Id = "dlv_1",
        MessageId = "msg_1",
        SubscriptionId = Subscription.Id,
        EventType = "order.created",
        Status = DeliveryStatus.Dispatched,
        AttemptCount = attemptCount,
        CreatedAt = Now,
        DueAt = Now,
    };
}
