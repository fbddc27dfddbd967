using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Pulling;

/// <summary>Pull subscriptions on the in-memory store: kept messages, cursors, acknowledgement, long polling, switching (issue 25).</summary>
public sealed class PullModeTests
{
    [Fact]
    public async Task A_subscription_without_a_url_keeps_its_matching_messages_for_a_reader_in_publish_order()
    {
        await using var host = await TestHost.StartAsync();
        using var pulled = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebhookTelemetry.Name, WebhookTelemetry.PulledName);
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var pull = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            EventTypes = ["order.created"],
            Filters = new Dictionary<string, IReadOnlyList<string>> { ["region"] = ["eu"] },
        })).Subscription;
        Assert.True(pull.IsPull);

        var published = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }) { Attributes = new Dictionary<string, string> { ["region"] = "eu" } })).MessageId);
        }

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 99 }) { Attributes = new Dictionary<string, string> { ["region"] = "us" } });
        await host.Publisher.PublishAsync(new WebhookEvent("order.updated", new { n = 98 }) { Attributes = new Dictionary<string, string> { ["region"] = "eu" } });

        var first = await updates.ReadAsync(pull.Id, limit: 2);
        Assert.Equal(published[..2], first.Items.Select(u => u.Id));
        Assert.True(first.HasMore);
        var envelope = JsonDocument.Parse(first.Items[0].Text).RootElement;
        Assert.Equal(("order.created", 0), (envelope.GetProperty("type").GetString(), envelope.GetProperty("data").GetProperty("n").GetInt32()));
        Assert.StartsWith("application/json", first.Items[0].ContentType, StringComparison.Ordinal);

        // The same cursor again gives the same messages: nothing is acknowledged until a read passes it.
        var again = await updates.ReadAsync(pull.Id, limit: 2);
        Assert.Equal(published[..2], again.Items.Select(u => u.Id));

        var second = await updates.ReadAsync(pull.Id, first.Cursor, limit: 2);
        Assert.Equal(published[2..4], second.Items.Select(u => u.Id));
        var third = await updates.ReadAsync(pull.Id, second.Cursor, limit: 2);
        Assert.Equal(published[4..], third.Items.Select(u => u.Id));
        Assert.False(third.HasMore);

        // Passed messages succeeded; the last page waits for its acknowledgement. The log shows every read.
        var deliveries = (await host.Deliveries.ListAsync(new DeliveryQuery { SubscriptionId = pull.Id, Limit = 100 })).Items.ToDictionary(d => d.MessageId);
        Assert.Equal(5, deliveries.Count);
        Assert.All(published[..4], id => Assert.Equal(DeliveryStatus.Succeeded, deliveries[id].Status));
        Assert.Equal(DeliveryStatus.Unread, deliveries[published[4]].Status);
        Assert.Equal(2, deliveries[published[0]].AttemptCount);
        Assert.Equal(new WebhookFeedBacklog(1, deliveries[published[4]].CreatedAt), await updates.GetBacklogAsync(pull.Id));
        var attempts = await host.AttemptsAsync(pull.Id);
        Assert.Equal(7, attempts.Count);
        Assert.All(attempts, a => Assert.Equal((AttemptTrigger.Pull, true, 200), (a.Trigger, a.Succeeded, a.Response!.StatusCode)));
        Assert.Contains(attempts, a => a.MessageId == published[0] && a.Request.Body.Contains("\"n\":0", StringComparison.Ordinal));
        Assert.Equal(7, pulled.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(pulled.GetMeasurementSnapshot(), m => Assert.Equal("order.created", m.Tags["webhooks.event_type"]));

        // Reading past the last page acknowledges it: the feed is empty, and the cursor stays where it was.
        var empty = await updates.ReadAsync(pull.Id, third.Cursor);
        Assert.Empty(empty.Items);
        Assert.Equal(third.Cursor, empty.Cursor);
        Assert.Equal(DeliveryStatus.Succeeded, (await host.DeliveriesOfAsync(published[4])).Single().Status);
        Assert.Equal(new WebhookFeedBacklog(0, null), await updates.GetBacklogAsync(pull.Id));
    }

    [Fact]
    public async Task The_body_comes_in_the_subscriptions_format_and_payload_mode()
    {
        await using var host = await TestHost.StartAsync();
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var pull = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Format = WebhookFormats.Xml, PayloadMode = WebhookPayloadMode.Data })).Subscription;

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 7, status = "paid" }));

        var update = Assert.Single((await updates.ReadAsync(pull.Id)).Items);
        var xml = XDocument.Parse(update.Text);
        Assert.Equal(("7", "paid"), (xml.Root!.Element("id")?.Value, xml.Root.Element("status")?.Value));
        Assert.StartsWith("application/xml", update.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cursor_of_another_subscription_or_not_from_a_read_is_refused_with_what_to_do()
    {
        await using var host = await TestHost.StartAsync();
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var mine = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { TenantId = "acme" })).Subscription;
        var theirs = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { TenantId = "globex" })).Subscription;
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 1 }) { TenantId = "globex" });
        var page = await updates.ReadAsync(theirs.Id);

        var foreign = await Assert.ThrowsAsync<WebhookValidationException>(() => updates.ReadAsync(mine.Id, page.Cursor));
        Assert.Equal($"The cursor belongs to another subscription, not {mine.Id}; each subscription's reader keeps its own cursor.", foreign.Errors["cursor"].Single());
        var garbage = await Assert.ThrowsAsync<WebhookValidationException>(() => updates.ReadAsync(mine.Id, "wpc_bm90LWEtY3Vyc29y"));
        Assert.StartsWith("The cursor is not one a read returned", garbage.Errors["cursor"].Single(), StringComparison.Ordinal);
        Assert.Contains("limit", (await Assert.ThrowsAsync<WebhookValidationException>(() => updates.ReadAsync(mine.Id, limit: 0))).Errors.Keys);
        Assert.Contains("wait", (await Assert.ThrowsAsync<WebhookValidationException>(() => updates.ReadAsync(mine.Id, wait: TimeSpan.FromMinutes(2)))).Errors.Keys);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => updates.ReadAsync("sub_00000000000000000000000000000000"));

        // The foreign read changed nothing: the other reader's page is still there.
        Assert.Single((await updates.ReadAsync(theirs.Id)).Items);
    }

    [Fact]
    public async Task A_long_poll_answers_as_soon_as_a_message_comes_and_empty_after_the_wait()
    {
        await using var host = await TestHost.StartAsync();
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var pull = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest())).Subscription;

        var clock = Stopwatch.StartNew();
        var empty = await updates.ReadAsync(pull.Id, wait: TimeSpan.FromSeconds(1));
        Assert.Empty(empty.Items);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"answered after {clock.Elapsed}");

        clock.Restart();
        var waiting = updates.ReadAsync(pull.Id, empty.Cursor, wait: TimeSpan.FromSeconds(30));
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 1 }));

        var page = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([published.MessageId], page.Items.Select(u => u.Id));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the reader was woken, not left to its 30 s wait");
    }

    [Fact]
    public async Task Switching_to_push_sends_what_was_unread_and_switching_back_keeps_new_messages_for_the_reader()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var request = new WebhookSubscriptionRequest { Name = "switching" };
        var subscription = (await host.Subscriptions.CreateAsync(request)).Subscription;
        var unread = new[]
        {
            (await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 1 }))).MessageId,
            (await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 2 }))).MessageId,
        };

        await host.Subscriptions.UpdateAsync(subscription.Id, request with { Url = receiver.UrlFor("/hooks") });
        var received = await receiver.WaitForCountAsync("/hooks", 2, TimeSpan.FromSeconds(10));
        Assert.Equal(unread.Order(), received.Select(r => r.Headers["webhook-id"]).Order());
        Assert.Equal(0, (await updates.GetBacklogAsync(subscription.Id)).Unread);

        await host.Subscriptions.UpdateAsync(subscription.Id, request);
        var later = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 3 }));
        Assert.Equal([later.MessageId], (await updates.ReadAsync(subscription.Id)).Items.Select(u => u.Id));
        Assert.Equal(2, receiver.ReceivedOn("/hooks").Count);
    }

    [Fact]
    public async Task A_delivery_retrying_when_its_subscription_loses_its_url_joins_the_feed_instead_of_being_sent()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/hooks", ReceiverResponse.Status(500));
        await using var host = await TestHost.StartAsync();
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var request = new WebhookSubscriptionRequest { Url = receiver.UrlFor("/hooks"), RetrySchedule = [TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300)] };
        var subscription = (await host.Subscriptions.CreateAsync(request)).Subscription;
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 1 }));
        await Eventually.WaitForAsync(() => host.AttemptsAsync(subscription.Id), a => a.Count >= 1, "the first failed attempt");

        await host.Subscriptions.UpdateAsync(subscription.Id, request with { Url = null, RetrySchedule = null });

        // Queued for its retry (moved by the update) or in flight (moved by the dispatcher when it comes back): either way
        // the reader gets it, and no further request reaches the old endpoint.
        var page = await updates.ReadAsync(subscription.Id, wait: TimeSpan.FromSeconds(10));
        Assert.Equal([published.MessageId], page.Items.Select(u => u.Id));
        int sent = receiver.ReceivedOn("/hooks").Count;
        await Task.Delay(800);
        Assert.Equal(sent, receiver.ReceivedOn("/hooks").Count);
        Assert.Equal(DeliveryStatus.Unread, (await host.DeliveriesOfAsync(published.MessageId)).Single().Status);
    }

    [Fact]
    public async Task A_delivery_in_flight_when_its_subscription_loses_its_url_joins_the_feed_when_it_comes_back_for_its_retry()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        receiver.Respond("/hooks", ReceiverResponse.Hang(TimeSpan.FromSeconds(10)));
        await using var host = await TestHost.StartAsync(o => o.AttemptTimeout = TimeSpan.FromSeconds(1));
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var request = new WebhookSubscriptionRequest { Url = receiver.UrlFor("/hooks"), RetrySchedule = [TimeSpan.FromMilliseconds(200)] };
        var subscription = (await host.Subscriptions.CreateAsync(request)).Subscription;
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 1 }));
        await receiver.WaitForCountAsync("/hooks", 1, TimeSpan.FromSeconds(10));

        // The attempt is in flight (the endpoint hangs): nothing to move yet. It times out, and its retry finds a pull subscription.
        await host.Subscriptions.UpdateAsync(subscription.Id, request with { Url = null, RetrySchedule = null });

        var page = await updates.ReadAsync(subscription.Id, wait: TimeSpan.FromSeconds(15));
        Assert.Equal([published.MessageId], page.Items.Select(u => u.Id));
        Assert.Single(receiver.ReceivedOn("/hooks"));
        var delivery = (await host.DeliveriesOfAsync(published.MessageId)).Single();
        Assert.Equal((DeliveryStatus.Unread, 2), (delivery.Status, delivery.AttemptCount)); // the timed-out push attempt, then the read
    }

    [Fact]
    public async Task Settings_that_shape_a_request_are_refused_for_pull_and_a_push_subscription_cannot_be_read()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Authentication = WebhookAuthentication.Bearer("t0ken"),
            Batching = new WebhookBatching { Window = TimeSpan.FromSeconds(5) },
            Format = WebhookFormats.JsonArray,
        }));
        Assert.StartsWith("A pull subscription (no URL) is read, not sent to, so it takes no endpoint authentication", error.Errors["Authentication"].Single(), StringComparison.Ordinal);
        Assert.Contains(error.Errors["Batching"], e => e.StartsWith("A pull subscription (no URL) is read, not sent to, so it takes no batching", StringComparison.Ordinal));
        Assert.Empty((await host.Subscriptions.ListAsync()).Items);

        var push = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.UrlFor("/hooks") })).Subscription;
        var notPull = await Assert.ThrowsAsync<WebhookValidationException>(() => updates.ReadAsync(push.Id));
        Assert.StartsWith($"The subscription {push.Id} has a URL", notPull.Errors["url"].Single(), StringComparison.Ordinal);

        var pull = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest())).Subscription;
        var noTest = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.TestAsync(pull.Id));
        Assert.Contains("no URL", noTest.Errors["url"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_pull_subscription_fails_what_nobody_can_read_any_more()
    {
        await using var host = await TestHost.StartAsync();
        var pull = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest())).Subscription;
        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = 1 }));

        await host.Subscriptions.DeleteAsync(pull.Id);

        var delivery = Assert.Single(await host.DeliveriesOfAsync(published.MessageId));
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
    }
}
