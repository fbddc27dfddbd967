using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WebhookSender.EntityFrameworkCore.Tests.Pulling;

/// <summary>Pull subscriptions on SQLite and PostgreSQL, with several instances and the host's own transactions (issue 25).</summary>
public sealed class PullFeedTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_reader_takes_every_message_in_publish_order_in_pages(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = await EfTestHost.StartAsync(database, configure: o => o.PingOnCreate = false, output: output);
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var pull = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Format = WebhookFormats.Form })).Subscription;
        var published = new List<string>();
        for (int i = 0; i < 25; i++)
        {
            published.Add((await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { n = i }))).MessageId);
        }

        // Pages of ten; a read may answer before all are visible (PostgreSQL shows a row once every older transaction of
        // the cluster has ended, and other tests run theirs), so it waits for what is still to come.
        var taken = new List<WebhookUpdate>();
        string? cursor = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (taken.Count < published.Count)
        {
            var page = await updates.ReadAsync(pull.Id, cursor, limit: 10, wait: TimeSpan.FromSeconds(5), deadline.Token);
            taken.AddRange(page.Items);
            cursor = page.Cursor;
        }

        Assert.Equal(published, taken.Select(u => u.Id));
        Assert.Equal("type=order.created", taken[0].Text.Split('&').Single(p => p.StartsWith("type=", StringComparison.Ordinal)));
        await updates.ReadAsync(pull.Id, cursor);
        Assert.Equal(new WebhookFeedBacklog(0, null), await updates.GetBacklogAsync(pull.Id));
        var deliveries = await host.Deliveries.ListAsync(new DeliveryQuery { SubscriptionId = pull.Id, Limit = 100 });
        Assert.All(deliveries.Items, d => Assert.Equal((DeliveryStatus.Succeeded, 1), (d.Status, d.AttemptCount)));
    }

    [Fact]
    public async Task A_message_committed_late_is_never_left_behind_a_cursor()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var host = await EfTestHost.StartAsync(database, configure: o => o.PingOnCreate = false, output: output);
        var updates = host.Services.GetRequiredService<IWebhookUpdates>();
        var pull = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest())).Subscription;

        // The host's transaction writes its message first and commits last.
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Orders.Add(new Order { Id = 1 });
        var early = await host.Publisher.PublishAsync(db, new WebhookEvent("order.created", new { id = 1 }));
        await db.SaveChangesAsync();
        var late = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }));

        // While the earlier transaction runs, the later message waits too: handing it out would move the cursor past
        // the place the earlier one takes when it commits.
        var meanwhile = await updates.ReadAsync(pull.Id);
        Assert.Empty(meanwhile.Items);

        await transaction.CommitAsync();
        var taken = new List<string>();
        string cursor = meanwhile.Cursor;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (taken.Count < 2)
        {
            var page = await updates.ReadAsync(pull.Id, cursor, wait: TimeSpan.FromSeconds(5), cancellationToken: deadline.Token);
            taken.AddRange(page.Items.Select(u => u.Id));
            cursor = page.Cursor;
        }

        Assert.Equal([early.MessageId, late.MessageId], taken);
    }

    [Fact]
    public async Task Two_instances_publishing_and_reading_concurrently_lose_nothing_and_keep_each_publishers_order()
    {
        const int PerInstance = 150;
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var first = await EfTestHost.StartAsync(database, configure: o => o.PingOnCreate = false, store: o => o.InstanceId = "one", output: output);
        await using var second = await EfTestHost.StartAsync(database, configure: o => o.PingOnCreate = false, store: o => o.InstanceId = "two", output: output);
        var pull = (await first.Subscriptions.CreateAsync(new WebhookSubscriptionRequest())).Subscription;
        EfTestHost[] hosts = [first, second];

        var publishedBy = new[] { new List<string>(), new List<string>() };
        var publishing = Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            for (int n = 0; n < PerInstance; n++)
            {
                publishedBy[i].Add((await hosts[i].Publisher.PublishAsync(new WebhookEvent("order.created", new { i, n }))).MessageId);
            }
        })).ToArray();

        // One reader, asking each instance in turn and handing its cursor on, while both publish.
        var taken = new List<string>();
        string? cursor = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        for (int read = 0; taken.Count < 2 * PerInstance; read++)
        {
            var page = await hosts[read % 2].Services.GetRequiredService<IWebhookUpdates>()
                .ReadAsync(pull.Id, cursor, limit: 40, wait: TimeSpan.FromSeconds(2), deadline.Token);
            taken.AddRange(page.Items.Select(u => u.Id));
            cursor = page.Cursor;
        }

        await Task.WhenAll(publishing);
        Assert.Equal(taken.Count, taken.Distinct().Count());
        Assert.Equal(publishedBy[0].Concat(publishedBy[1]).Order(), taken.Order());
        foreach (var own in publishedBy)
        {
            var set = own.ToHashSet();
            Assert.Equal(own, taken.Where(set.Contains));
        }

        Assert.Empty((await first.Services.GetRequiredService<IWebhookUpdates>().ReadAsync(pull.Id, cursor)).Items);
        Assert.Equal(0, (await second.Services.GetRequiredService<IWebhookUpdates>().GetBacklogAsync(pull.Id)).Unread);
    }
}
