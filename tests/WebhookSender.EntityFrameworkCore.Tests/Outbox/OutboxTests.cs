using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;

namespace WebhookSender.EntityFrameworkCore.Tests.Outbox;

/// <summary>Publishing inside the host's unit of work: rolled back, nothing is ever sent; committed, it is sent once.</summary>
public sealed class OutboxTests
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_rolled_back_publish_is_never_sent_and_a_committed_one_is_sent_once(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await WebhookTestReceiver.StartAsync();

        // A poll far longer than the test: only the commit can wake the dispatcher in time.
        await using var host = await EfTestHost.StartAsync(database, store: o => o.PollInterval = LongPoll);
        await host.SubscribeAsync(receiver.UrlFor("/hooks"), "order.created");

        PublishResult rolledBack;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Orders.Add(new Order { Id = 1 });
            rolledBack = await host.Publisher.PublishAsync(db, new WebhookEvent("order.created", new { id = 1 }));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        PublishResult committed;
        var clock = Stopwatch.StartNew();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Orders.Add(new Order { Id = 2 });
            committed = await host.Publisher.PublishAsync(db, new WebhookEvent("order.created", new { id = 2 }));

            // Nothing is stored before the host saves and commits.
            Assert.Null(await host.Store.GetMessageAsync(committed.MessageId, CancellationToken.None));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        await receiver.WaitForAsync(all => all.Any(r => r.WebhookId == committed.MessageId), TimeSpan.FromSeconds(10));
        var elapsed = clock.Elapsed;
        await Eventually.WaitForAsync(
            () => host.Deliveries.ListAsync(new DeliveryQuery { MessageId = committed.MessageId }),
            page => page.Items.All(d => d.Status == DeliveryStatus.Succeeded),
            "the committed delivery to succeed");

        Assert.Equal(1, committed.DeliveryCount);
        Assert.Equal(1, rolledBack.DeliveryCount);
        Assert.True(elapsed < LongPoll / 3, $"The commit should wake the dispatcher; delivery took {elapsed}.");
        Assert.Single(receiver.Received, r => r.WebhookId == committed.MessageId);
        Assert.DoesNotContain(receiver.Received, r => r.WebhookId == rolledBack.MessageId);
        Assert.Null(await host.Store.GetMessageAsync(rolledBack.MessageId, CancellationToken.None));
        Assert.Empty((await host.Deliveries.ListAsync(new DeliveryQuery { MessageId = rolledBack.MessageId })).Items);
        await using var check = database.NewContext();
        Assert.Equal([2], await check.Orders.Select(o => o.Id).ToListAsync());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SaveChanges_without_a_transaction_commits_and_sends(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await EfTestHost.StartAsync(database, store: o => o.PollInterval = LongPoll);
        await host.SubscribeAsync(receiver.UrlFor("/hooks"));

        PublishResult published;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            db.Orders.Add(new Order { Id = 7 });
            published = await host.Publisher.PublishAsync(db, new WebhookEvent("order.created", new { id = 7 }) { Id = "order-7" });

            // The same idempotency key again in this unit of work: the pending message, nothing new.
            var again = await host.Publisher.PublishAsync(db, new WebhookEvent("order.created", new { id = 7 }) { Id = "order-7" });
            Assert.Equal(published.MessageId, again.MessageId);
            Assert.True(again.IsDuplicate);
            await db.SaveChangesAsync();
        }

        await receiver.WaitForAsync(all => all.Any(r => r.WebhookId == published.MessageId), TimeSpan.FromSeconds(10));
        Assert.Single(receiver.Received, r => r.WebhookId == published.MessageId);
    }

    [Fact]
    public async Task Disposing_the_context_without_saving_sends_nothing()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var host = await EfTestHost.StartAsync(database, store: o => o.PollInterval = LongPoll);
        await host.SubscribeAsync(new Uri("http://127.0.0.1:9/hooks"));

        PublishResult published;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            published = await host.Publisher.PublishAsync(scope.ServiceProvider.GetRequiredService<TestDbContext>(), new WebhookEvent("order.created", new { id = 1 }));
        }

        Assert.Equal(1, published.DeliveryCount);
        Assert.Null(await host.Store.GetMessageAsync(published.MessageId, CancellationToken.None));
        Assert.Empty(await host.AllDeliveriesAsync());
    }

    [Fact]
    public async Task Publishing_into_a_context_without_the_webhook_tables_says_what_to_add()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var host = await EfTestHost.StartAsync(database, start: false);
        await using var other = new OtherContext(new DbContextOptionsBuilder<OtherContext>().UseSqlite(database.ConnectionString).Options);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Publisher.PublishAsync(other, new WebhookEvent("order.created", null)));

        Assert.Contains("modelBuilder.AddWebhookSender()", error.Message, StringComparison.Ordinal);
    }

    private sealed class OtherContext(DbContextOptions<OtherContext> options) : DbContext(options);
}
