using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;

namespace WebhookSender.EntityFrameworkCore.Tests.Telemetry;

/// <summary>
/// The trace context a message is published in is stored with it (<c>webhook_messages.trace_parent</c>), so a delivery
/// span made by another instance, from the database alone, links to the publish span.
/// </summary>
public sealed class TraceLinkTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_delivery_made_by_another_instance_links_to_the_publish_span(string provider)
    {
        using var spans = new SpanRecorder();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await WebhookTestReceiver.StartAsync();

        // The publishing instance runs no dispatcher: the other one leases the delivery and reads the message from the database.
        await using var publishing = await EfTestHost.StartAsync(database, start: false);
        await publishing.SubscribeAsync(receiver.UrlFor("/hooks"));
        PublishResult published;
        ActivityContext request;
        using (var caller = new Activity("test.request").Start())
        {
            request = caller.Context;
            published = await publishing.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        }

        var publish = await spans.WaitForAsync("webhooks.publish", published.MessageId);
        Assert.Equal(publish.Id, (await publishing.Store.GetMessageAsync(published.MessageId, CancellationToken.None))!.TraceParent);
        Assert.Equal(request.SpanId, publish.ParentSpanId);

        await using var delivering = await EfTestHost.StartAsync(database);
        await receiver.WaitForCountAsync("/hooks", 1, Wait);

        var deliver = await spans.WaitForAsync("webhooks.deliver", published.MessageId);
        Assert.Equal(ActivityKind.Internal, deliver.Kind);
        Assert.NotEqual(request.TraceId, deliver.TraceId);
        var link = Assert.Single(deliver.Links);
        Assert.Equal((publish.TraceId, publish.SpanId), (link.Context.TraceId, link.Context.SpanId));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_publish_in_the_hosts_own_transaction_stores_its_trace_context_too(string provider)
    {
        using var spans = new SpanRecorder();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = await EfTestHost.StartAsync(database, start: false);
        await host.SubscribeAsync(new Uri("http://127.0.0.1:9/hooks"));

        PublishResult published;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            using var caller = new Activity("test.request").Start();
            db.Orders.Add(new Order { Id = 1 });
            published = await host.Publisher.PublishAsync(db, new WebhookEvent("order.created", new { id = 1 }));
            await db.SaveChangesAsync();
        }

        var publish = await spans.WaitForAsync("webhooks.publish", published.MessageId);
        Assert.Equal(publish.Id, (await host.Store.GetMessageAsync(published.MessageId, CancellationToken.None))!.TraceParent);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_database_without_the_trace_parent_column_says_to_add_a_migration(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var context = database.NewContext())
        {
            // The table as the version before this column made it.
            await context.Database.ExecuteSqlRawAsync("ALTER TABLE webhook_messages DROP COLUMN trace_parent");
        }

        await using var host = await EfTestHost.StartAsync(database, start: false);
        await host.SubscribeAsync(new Uri("http://127.0.0.1:9/hooks"));

        var refused = await Assert.ThrowsAsync<WebhookStoreException>(() => host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 })));
        Assert.Contains("trace_parent", refused.Message, StringComparison.Ordinal);
        Assert.Contains("add a migration (dotnet ef migrations add) and apply it", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Records the stopped WebhookSender spans; listeners are process-wide, so tests find theirs by message id.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "WebhookSender",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public async Task<Activity> WaitForAsync(string operationName, string messageId)
        {
            var found = await Eventually.WaitForAsync(
                () => Task.FromResult(_stopped.FirstOrDefault(a => a.OperationName == operationName && (string?)a.GetTagItem("messaging.message.id") == messageId)),
                a => a is not null,
                $"the {operationName} span of {messageId}");
            return found!;
        }

        public void Dispose() => _listener.Dispose();
    }
}
