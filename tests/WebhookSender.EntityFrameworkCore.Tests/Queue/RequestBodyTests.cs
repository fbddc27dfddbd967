using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Storage;
using static WebhookSender.StoreContract.ContractData;

namespace WebhookSender.EntityFrameworkCore.Tests.Queue;

/// <summary>A request body is stored once per message and body, however many attempts sent it, and read back with each.</summary>
public sealed class RequestBodyTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const string Json = """{"type":"order.created","data":{"id":1,"note":"ünïcödé"}}""";
    private const string Xml = "<event><type>order.created</type><data><id>1</id></data></event>";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_fan_out_keeps_each_body_once_and_every_attempt_reads_its_own(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = StoreServices.Build(database, new FakeTimeProvider(Start), _ => { });
        var store = services.GetRequiredService<IWebhookStore>();
        var queue = services.GetRequiredService<IDeliveryQueue>();

        // Three subscriptions, two in JSON and one in XML; the second JSON one fails and is retried.
        await store.AddMessageAsync(Message("msg_1"), [Delivery("dlv_a", "msg_1", subscriptionId: "sub_a"), Delivery("dlv_b", "msg_1", subscriptionId: "sub_b"), Delivery("dlv_c", "msg_1", subscriptionId: "sub_c")], None);
        var leases = (await queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None)).OrderBy(l => l.Delivery.Id, StringComparer.Ordinal).ToList();
        var held = await queue.EndLeasesAsync(
        [
            new LeaseEnd(leases[0], Succeeded(leases[0].Delivery), AttemptOf(leases[0].Delivery, Json, 1)),
            new LeaseEnd(leases[1], leases[1].Delivery with { Status = DeliveryStatus.Queued, AttemptCount = 1, DueAt = Start }, AttemptOf(leases[1].Delivery, Json, 1, succeeded: false)),
            new LeaseEnd(leases[2], Succeeded(leases[2].Delivery), AttemptOf(leases[2].Delivery, Xml, 1)),
        ], None);
        Assert.All(held, Assert.True);
        var retry = Assert.Single(await queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None));
        Assert.All(await queue.EndLeasesAsync([new LeaseEnd(retry, Succeeded(retry.Delivery), AttemptOf(retry.Delivery, Json, 2))], None), Assert.True);

        await using var context = database.NewContext();
        var bodies = await context.Set<BodyRow>().AsNoTracking().ToListAsync();
        Assert.Equal(new[] { Json, Xml }.Order(StringComparer.Ordinal), bodies.Select(b => b.Body).Order(StringComparer.Ordinal));
        Assert.All(bodies, b => Assert.Equal("msg_1", b.MessageId));

        // The log's rows name their body instead of carrying it; the attempt read back has it whole.
        var rows = await context.Set<AttemptRow>().AsNoTracking().Where(a => a.BodyDigest != null).ToListAsync();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.DoesNotContain("order.created", r.Request, StringComparison.Ordinal));
        var attempts = (await store.ListAttemptsAsync(new AttemptQuery { MessageId = "msg_1" }, None)).Items;
        Assert.Equal(4, attempts.Count);
        Assert.Equal(new[] { Json, Json, Json, Xml }.Order(StringComparer.Ordinal), attempts.Select(a => a.Request.Body).Order(StringComparer.Ordinal));
        Assert.Equal(Xml, attempts.Single(a => a.DeliveryId == "dlv_c").Request.Body);
        Assert.Equal(Xml, (await store.GetAttemptAsync(attempts.Single(a => a.DeliveryId == "dlv_c").Id, None))!.Request.Body);
        Assert.Equal(Json, attempts.Single(a => a.DeliveryId == "dlv_b" && a.AttemptNumber == 2).Request.Body);
    }

    [Fact]
    public async Task Bodies_go_with_their_message_and_not_before()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        var clock = new FakeTimeProvider(Start);
        await using var services = StoreServices.Build(database, clock, o => o.SucceededRetention = TimeSpan.FromDays(1));
        var store = services.GetRequiredService<IWebhookStore>();
        var queue = services.GetRequiredService<IDeliveryQueue>();
        var cleanup = services.GetRequiredService<RetentionCleanup>();
        await store.AddMessageAsync(Message("msg_old"), [Delivery("dlv_old", "msg_old")], None);
        await store.AddMessageAsync(Message("msg_new", createdAt: Start.AddDays(1)), [Delivery("dlv_new", "msg_new", createdAt: Start.AddDays(1))], None);
        var leases = await queue.LeaseAsync(10, TimeSpan.FromMinutes(1), None);
        Assert.All(await queue.EndLeasesAsync([.. leases.Select(l => new LeaseEnd(l, Succeeded(l.Delivery), AttemptOf(l.Delivery, Json, 1)))], None), Assert.True);

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        Assert.Equal((1, 0, 1), await cleanup.RunOnceAsync(None));

        await using var context = database.NewContext();
        Assert.Equal(["msg_new"], await context.Set<BodyRow>().Select(b => b.MessageId).ToListAsync());
        Assert.Equal(Json, Assert.Single((await store.ListAttemptsAsync(new AttemptQuery(), None)).Items).Request.Body);
    }

    [Fact]
    public void A_body_known_to_be_stored_is_not_written_again_but_still_named()
    {
        var first = AttemptOf(Delivery("dlv_a", "msg_1"), Json, 1);
        var known = new StoredBodyKeys(capacity: 2);
        var written = AttemptRows.From([first], known);
        known.Add(written.Bodies);

        var again = AttemptRows.From([AttemptOf(Delivery("dlv_b", "msg_1"), Json, 1), AttemptOf(Delivery("dlv_c", "msg_1"), Xml, 1)], known);

        Assert.Equal([Xml], again.Bodies.Select(b => b.Body));
        Assert.Equal(written.Attempts[0].BodyDigest, again.Attempts[0].BodyDigest);
        Assert.NotNull(again.Attempts[1].BodyDigest);

        // The keys are a window: past its capacity the oldest is forgotten and its body written again (the insert ignores it).
        known.Add(again.Bodies);
        known.Add([new BodyRow { MessageId = "msg_2", Digest = 1, Body = "x" }]);
        Assert.Equal([Json], AttemptRows.From([first], known).Bodies.Select(b => b.Body));
    }

    private static DeliveryAttempt AttemptOf(WebhookDelivery delivery, string body, int number, bool succeeded = true) => new()
    {
        Id = Guid.CreateVersion7(),
        DeliveryId = delivery.Id,
        MessageId = delivery.MessageId,
        SubscriptionId = delivery.SubscriptionId,
        EventType = delivery.EventType,
        AttemptNumber = number,
        Trigger = AttemptTrigger.Scheduled,
        StartedAt = Start,
        Duration = TimeSpan.FromMilliseconds(5),
        Succeeded = succeeded,
        Request = new AttemptRequest("POST", "https://receiver.example/hooks", new Dictionary<string, string> { ["webhook-id"] = delivery.MessageId }, body),
        Response = new AttemptResponse(succeeded ? 200 : 500, new Dictionary<string, string>(), ""),
    };
}
