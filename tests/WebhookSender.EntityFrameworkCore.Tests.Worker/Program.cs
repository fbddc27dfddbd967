// Dispatches webhooks from a database until it is killed. Used by the crash tests:
//   dotnet WebhookSender.EntityFrameworkCore.Tests.Worker.dll <postgres|sqlite> <connection string> <attempt timeout ms|default> <lease ms|default>
//       [--instance-id <id>] [--concurrency <n>] [--publish <n>]
// Prints "ready" once the dispatcher runs; with --publish, then publishes n "order.created" events itself (handed over to
// its own dispatcher, leased as they are stored) and prints "published".
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WebhookSender;
using WebhookSender.EntityFrameworkCore;

if (args.Length < 4 || args.Length % 2 != 0)
{
    Console.Error.WriteLine("usage: <postgres|sqlite> <connection string> <attempt timeout ms|default> <lease ms|default> [--instance-id <id>] [--concurrency <n>] [--publish <n>]");
    return 2;
}

string provider = args[0];
string connectionString = args[1];
TimeSpan? attemptTimeout = Milliseconds(args[2]);
TimeSpan? lease = Milliseconds(args[3]);
var named = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 4; i < args.Length; i += 2)
{
    named[args[i]] = args[i + 1];
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Services.AddDbContext<WorkerDbContext>(o =>
{
    if (provider == "postgres")
    {
        o.UseNpgsql(connectionString);
    }
    else
    {
        o.UseSqlite(connectionString);
    }
});
builder.Services
    .AddWebhooks(o =>
    {
        o.Destinations.AllowLoopback = true;
        o.PingOnCreate = false;
        o.AttemptTimeout = attemptTimeout ?? o.AttemptTimeout;
        o.LeaseDuration = lease ?? o.LeaseDuration;
        if (named.TryGetValue("--concurrency", out string? concurrency))
        {
            o.MaxConcurrency = int.Parse(concurrency, System.Globalization.CultureInfo.InvariantCulture);
        }
    })
    .AddEventType("order.created", "An order was placed")
    .AddEventType("order.updated", "An order changed")
    .AddEntityFrameworkStore<WorkerDbContext>(o =>
    {
        o.PollInterval = TimeSpan.FromMilliseconds(200);
        if (named.TryGetValue("--instance-id", out string? instanceId))
        {
            o.InstanceId = instanceId;
        }
    });

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");

if (named.TryGetValue("--publish", out string? publish))
{
    await WaitUntilRegisteredAsync(host.Services);
    var publisher = host.Services.GetRequiredService<IWebhookPublisher>();
    for (int i = 0; i < int.Parse(publish, System.Globalization.CultureInfo.InvariantCulture); i++)
    {
        await publisher.PublishAsync(new WebhookEvent("order.created", new { i }));
    }

    Console.WriteLine("published");
}

await host.WaitForShutdownAsync();
return 0;

static TimeSpan? Milliseconds(string value) =>
    value == "default" ? null : TimeSpan.FromMilliseconds(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

// Where the store keeps instances' heartbeats, it leases (and so hands publishes over to this dispatcher) only once
// this instance is registered; publishes before that would be stored unleased, for any instance to take.
static async Task WaitUntilRegisteredAsync(IServiceProvider services)
{
    string instanceId = services.GetRequiredService<IOptions<EntityFrameworkStoreOptions>>().Value.InstanceId;
    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
    while (true)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkerDbContext>();
        if (db.Model.GetEntityTypes().All(e => e.GetTableName() != "webhook_instances"))
        {
            return;
        }

        int registered = await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM webhook_instances WHERE id = {0}", instanceId).SingleAsync();
        if (registered == 1 || DateTime.UtcNow > deadline)
        {
            return;
        }

        await Task.Delay(20);
    }
}

/// <summary>The worker's context: the webhook tables only.</summary>
internal sealed class WorkerDbContext(DbContextOptions<WorkerDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddWebhookSender();
}
