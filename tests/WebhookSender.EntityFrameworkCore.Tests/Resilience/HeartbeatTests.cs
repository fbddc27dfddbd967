using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WebhookSender.EntityFrameworkCore.Tests.Contract;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.StoreContract;
using Xunit.Abstractions;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore.Tests.Resilience;

/// <summary>
/// Instances' heartbeats (issue 19): a silent instance's deliveries are taken over within seconds, and an instance that
/// cannot renew its heartbeat stops sending before anyone takes its deliveries over, so that no delivery is sent by two
/// instances at once while its owner is alive.
/// </summary>
public sealed class HeartbeatTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task An_owner_whose_heartbeats_fail_cuts_its_attempt_before_a_survivor_takes_it_over_and_sends_again_once_they_succeed(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        bool hangFirst = true;
        await using var receiver = await InFlightReceiver.StartAsync((context, _, number, aborted) =>
            number == 1 && Volatile.Read(ref hangFirst) ? Task.Delay(Timeout.Infinite, aborted) : InFlightReceiver.OkAfterAsync(context, TimeSpan.Zero, aborted));
        var failing = new FailingHeartbeats();
        var ownerEvents = new LogEvents();
        var survivorEvents = new LogEvents();

        // Only the fence may cut the owner's attempt: its AttemptTimeout is far beyond the test.
        await using var owner = await StartInstanceAsync(database, "owner", ownerEvents, failing);
        await using var survivor = await StartInstanceAsync(database, "survivor", survivorEvents);
        await owner.SubscribeAsync(receiver.Url);
        await WaitForRegisteredAsync(database, 2);

        var first = await owner.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Counts.GetValueOrDefault(first.MessageId)), n => n == 1, "the owner's attempt to start", Wait);
        failing.Fail = true;
        var failedAt = Stopwatch.GetElapsedTime(0);

        var delivered = await Eventually.WaitForAsync(
            () => owner.AllDeliveriesAsync(), all => all.Single().Status == DeliveryStatus.Succeeded, "the survivor to send the delivery", Wait);
        Assert.Equal(1, receiver.MaxInFlightPerId);
        var exchanges = receiver.Exchanges.Where(e => e.WebhookId == first.MessageId).OrderBy(e => e.Number).ToList();
        Assert.Equal([("owner", true), ("survivor", false)], exchanges.Select(e => (e.Sender!, e.Aborted)));
        Assert.True(exchanges[0].Ended <= exchanges[1].Started, "The owner's request must have ended before the survivor's started.");

        // The owner put the delivery back as it cut the attempt (only its heartbeat fails), so the survivor may have sent
        // it before it declared the owner dead. (A machine under load may have made the owner lose its leases earlier
        // too: the loss that counts is the last.)
        var takenOver = (await Eventually.WaitForAsync(
            () => Task.FromResult(survivorEvents.Named("InstanceTakenOver")), e => e.Count > 0, "the survivor to take the owner over", Wait)).Single();
        var lost = ownerEvents.Named("LeasesLost")[^1];
        output.WriteLine(
            $"{provider}: the owner's heartbeats fail from 0 s (HeartbeatInterval 250 ms, InstanceTimeout 2 s); it cut its attempt at {Since(exchanges[0].Ended)}, lost its leases at {Since(lost.At)}; " +
            $"survivor took over at {Since(takenOver.At)} and sent at {Since(exchanges[1].Started)}.");
        TimeSpan Since(TimeSpan at) => at - failedAt;

        Assert.True(lost.At < takenOver.At, "The owner must stop sending before the survivor takes its deliveries over.");
        Assert.Equal(1, delivered.Single().AttemptCount);
        Assert.Single((await owner.Deliveries.ListAttemptsAsync(new AttemptQuery())).Items);
        Assert.Contains("owner", takenOver.Message, StringComparison.Ordinal);

        // Once its heartbeats succeed again the owner registers again and sends what it publishes itself.
        Volatile.Write(ref hangFirst, false);
        failing.Fail = false;
        await Eventually.WaitForAsync(() => Task.FromResult(ownerEvents.Named("InstanceDeclaredDead").Count), n => n == 1, "the owner to find it was taken over", Wait);
        await Eventually.WaitForAsync(
            () => Task.FromResult(ownerEvents.Named("LeasesRegained")), e => e.Count > 0 && e[^1].At > lost.At, "the owner to vouch for leases again", Wait);
        var second = await owner.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }));
        await Eventually.WaitForAsync(
            () => owner.AllDeliveriesAsync(), all => all.All(d => d.Status == DeliveryStatus.Succeeded) && all.Count == 2, "the owner's next delivery", Wait);
        Assert.Equal("owner", Assert.Single(receiver.Exchanges, e => e.WebhookId == second.MessageId).Sender);
    }

    [Theory]
    [InlineData("postgres", 3, 1500)]
    [InlineData("sqlite", 2, 400)]
    public async Task Live_instances_under_load_with_a_short_InstanceTimeout_are_never_taken_over_and_never_send_a_delivery_twice_at_once(string provider, int instances, int events)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await InFlightReceiver.StartAsync((context, _, _, aborted) =>
            InFlightReceiver.OkAfterAsync(context, TimeSpan.FromMilliseconds(Random.Shared.Next(0, 10)), aborted));
        var logs = new List<LogEvents>();
        var hosts = new List<EfTestHost>();
        try
        {
            for (int i = 0; i < instances; i++)
            {
                var events_ = new LogEvents();
                logs.Add(events_);
                hosts.Add(await StartInstanceAsync(database, $"instance-{i}", events_));
            }

            await hosts[0].SubscribeAsync(receiver.Url);
            await WaitForRegisteredAsync(database, instances);
            await Parallel.ForEachAsync(Enumerable.Range(0, events), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
                await hosts[n % instances].Publisher.PublishAsync(new WebhookEvent("order.created", new { n }), ct));
            await Eventually.WaitForAsync(
                () => hosts[0].AllDeliveriesAsync(),
                all => all.Count == events && all.All(d => d.Status == DeliveryStatus.Succeeded),
                "every delivery to succeed",
                TimeSpan.FromMinutes(3));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }

        int lost = logs.Sum(l => l.Named("LeasesLost").Count);
        var takeovers = logs.SelectMany(l => l.Named("InstanceTakenOver")).ToList();
        output.WriteLine(
            $"{provider}: {events} events over {instances} instances; most requests for one webhook-id in flight at once: {receiver.MaxInFlightPerId}; " +
            $"leases lost: {lost}; takeovers: {takeovers.Count}.");
        Assert.Equal(1, receiver.MaxInFlightPerId);
        Assert.Equal(events, receiver.Counts.Count);

        // An instance is taken over only after its own heartbeat stopped vouching (on a starved machine that can happen
        // to a live one); one whose heartbeats keep working never is.
        for (int i = 0; i < instances; i++)
        {
            var firstLoss = logs[i].Named("LeasesLost").Select(e => e.At).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            Assert.All(takeovers.Where(t => t.Message.StartsWith($"Instance instance-{i} ", StringComparison.Ordinal)), t => Assert.True(firstLoss < t.At, t.Message));
        }
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_taken_over_lease_ended_late_by_its_old_holder_cannot_overwrite_the_new_holders_state(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var a = StoreFor(database, "instance-a");
        await using var b = StoreFor(database, "instance-b");
        var storeA = (EntityFrameworkWebhookStore)a.Store;
        var storeB = (EntityFrameworkWebhookStore)b.Store;
        Assert.True(await storeA.RegisterInstanceAsync("a1", default));
        Assert.True(await storeB.RegisterInstanceAsync("b1", default));
        await a.Store.AddMessageAsync(ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1")], default);
        var old = Assert.Single(await a.Queue.LeaseAsync(1, TimeSpan.FromMinutes(2), default));

        // The heartbeat times come from the database's clock, in the package's UTC ticks.
        await using (var context = database.NewContext())
        {
            long written = await context.Database.SqlQueryRaw<long>("SELECT heartbeat_at AS \"Value\" FROM webhook_instances WHERE id = 'instance-a'").SingleAsync();
            Assert.InRange(new DateTimeOffset(written, TimeSpan.Zero), DateTimeOffset.UtcNow.AddSeconds(-10), DateTimeOffset.UtcNow.AddSeconds(1));
        }

        // An instance that beat recently is not taken over; one silent for InstanceTimeout is, with its leases.
        Assert.True(await storeA.BeatAsync("a1", default));
        Assert.Null(await storeB.TakeOverAsync("instance-a", default));
        await Eventually.WaitForAsync(() => storeB.StaleInstancesAsync(default), stale => stale.Contains("instance-a"), "instance-a to go stale", Wait);
        Assert.True(await storeB.BeatAsync("b1", default));
        Assert.Equal(1, await storeB.TakeOverAsync("instance-a", default));
        Assert.Null(await storeB.TakeOverAsync("instance-a", default));
        Assert.False(await storeA.BeatAsync("a1", default));

        // Taken over, the old lease holds nothing, even before anyone leases the delivery again; nor after.
        LeaseEnd Late() => new(old, ContractData.Succeeded(old.Delivery), ContractData.Attempt(Guid.NewGuid(), DateTimeOffset.UtcNow));
        Assert.Equal([false], await a.Queue.EndLeasesAsync([Late()], default));
        var taken = Assert.Single(await b.Queue.LeaseAsync(1, TimeSpan.FromMinutes(2), default));
        Assert.Equal("dlv_1", taken.Delivery.Id);
        Assert.Equal([false], await a.Queue.EndLeasesAsync([Late()], default));
        var current = await b.Store.GetDeliveryAsync("dlv_1", default);
        Assert.Equal((DeliveryStatus.Dispatched, 0), (current!.Status, current.AttemptCount));
        Assert.Equal([true], await b.Queue.EndLeasesAsync([new LeaseEnd(taken, ContractData.Succeeded(taken.Delivery))], default));
        Assert.Equal(DeliveryStatus.Succeeded, (await b.Store.GetDeliveryAsync("dlv_1", default))!.Status);
    }

    [Fact]
    public async Task A_stopping_instance_removes_its_registration_and_gives_back_what_it_still_holds()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        var host = await StartInstanceAsync(database, "stopping", new LogEvents());
        await WaitForRegisteredAsync(database, 1);

        // A lease its dispatcher did not take (as if its release had failed): the deregistration makes it due now.
        await host.Store.AddMessageAsync(ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1", dueAt: DateTimeOffset.UtcNow.AddHours(1))], default);
        await using (var context = database.NewContext())
        {
            await context.Database.ExecuteSqlRawAsync("UPDATE webhook_queue SET lease_id = 'x', lease_owner = 'stopping', available_at = {0}", DateTimeOffset.UtcNow.AddMinutes(2).UtcTicks);
        }

        await host.DisposeAsync();

        await using var check = database.NewContext();
        Assert.Equal(0, await check.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM webhook_instances").SingleAsync());
        var row = await check.Set<QueueRow>().SingleAsync();
        Assert.Null(row.LeaseId);
        Assert.True(row.AvailableAt <= DateTimeOffset.UtcNow.UtcTicks, "The deregistered instance's lease is due now.");
    }

    [Fact]
    public async Task Without_the_instances_table_the_heartbeat_says_to_add_a_migration_and_nothing_is_leased()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using (var context = database.NewContext())
        {
            await context.Database.ExecuteSqlRawAsync("DROP TABLE webhook_instances");
        }

        var events = new LogEvents();
        await using var host = await StartInstanceAsync(database, "unmigrated", events);
        var missing = await Eventually.WaitForAsync(() => Task.FromResult(events.Named("HeartbeatTableMissing")), e => e.Count == 1, "the heartbeat to report the missing table", Wait);

        Assert.Contains("add a migration", missing[0].Message, StringComparison.Ordinal);
        await host.Store.AddMessageAsync(ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1")], default);
        Assert.Empty(await host.Services.GetRequiredService<IDeliveryQueue>().LeaseAsync(1, TimeSpan.FromMinutes(1), default));
        Assert.True(host.Services.GetRequiredService<IDeliveryQueue>().LeasesLost.IsCancellationRequested);
    }

    [Fact]
    public async Task Hosted_services_starting_before_the_heartbeat_lease_nothing_until_it_vouches()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddDbContext<TestDbContext>(database.Configure);
        var webhooks = builder.Services.AddWebhooks(o => o.PingOnCreate = false);

        // Registered between the dispatcher and the store's heartbeat, so it starts between them too.
        builder.Services.AddSingleton<EarlyLeaser>().AddHostedService(sp => sp.GetRequiredService<EarlyLeaser>());
        webhooks.AddEntityFrameworkStore<TestDbContext>();
        using var host = builder.Build();
        await host.Services.GetRequiredService<IWebhookStore>().AddMessageAsync(ContractData.Message("msg_1"), [ContractData.Delivery("dlv_1", "msg_1")], default);

        await host.StartAsync();
        var early = host.Services.GetRequiredService<EarlyLeaser>();
        await host.StopAsync();

        Assert.Empty(early.Leased);
        Assert.True(early.LeasesLost.CanBeCanceled, "Leases are vouched for by a token the heartbeat can cancel from the start.");
    }

    /// <summary>A hosted service that leases as soon as it starts.</summary>
    private sealed class EarlyLeaser(IDeliveryQueue queue) : Microsoft.Extensions.Hosting.IHostedService
    {
        public IReadOnlyList<DeliveryLease> Leased { get; private set; } = [];

        public CancellationToken LeasesLost { get; private set; }

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            LeasesLost = queue.LeasesLost;
            Leased = await queue.LeaseAsync(10, TimeSpan.FromMinutes(2), cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>An app instance with a short heartbeat, marking its requests with its name.</summary>
    private Task<EfTestHost> StartInstanceAsync(
        TestDatabase database, string name, LogEvents events, FailingHeartbeats? failing = null, TimeSpan? heartbeat = null, TimeSpan? timeout = null) =>
        EfTestHost.StartAsync(
            database,
            configure: o => o.AttemptTimeout = TimeSpan.FromSeconds(50),
            store: o =>
            {
                o.InstanceId = name;
                o.HeartbeatInterval = heartbeat ?? TimeSpan.FromMilliseconds(250);
                o.InstanceTimeout = timeout ?? TimeSpan.FromSeconds(2);
            },
            build: webhooks =>
            {
                webhooks.ConfigureHttpClient(http => http.AddHttpMessageHandler(() => new SenderHeader(name)));
                webhooks.Services.AddLogging(logging => logging.AddProvider(events).AddFilter<LogEvents>(null, LogLevel.Trace));
                if (failing is not null)
                {
                    webhooks.Services.ConfigureDbContext<TestDbContext>(o => o.AddInterceptors(failing));
                }
            },
            output: output);

    /// <summary>A store on its own, as a host's DI builds it, without its heartbeat running (the test beats for it).</summary>
    private static StoreUnderTest StoreFor(TestDatabase database, string instanceId) => ContractStores.Build(
        database, TimeProvider.System, ownsDatabase: false, store: o =>
        {
            o.InstanceId = instanceId;
            o.HeartbeatInterval = TimeSpan.FromSeconds(1);
            o.InstanceTimeout = TimeSpan.FromSeconds(3);
        });

    private static Task WaitForRegisteredAsync(TestDatabase database, int count) =>
        Eventually.WaitForAsync(
            async () =>
            {
                await using var context = database.NewContext();
                return await context.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM webhook_instances").SingleAsync();
            },
            n => n == count,
            $"{count} instances to register",
            Wait);

    /// <summary>Makes every statement on <c>webhook_instances</c> fail while <see cref="Fail"/> is set: the heartbeat's database is unreachable.</summary>
    private sealed class FailingHeartbeats : DbCommandInterceptor
    {
        private volatile bool _fail;

        public bool Fail
        {
            get => _fail;
            set => _fail = value;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Check(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Check(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        private void Check(DbCommand command)
        {
            if (_fail && command.CommandText.Contains("webhook_instances", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("Simulated: the heartbeat's database cannot be reached.");
            }
        }
    }

    private sealed class SenderHeader(string name) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Add("x-test-sender", name);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
