// Dispatches webhooks from a database until it is killed. Used by the crash test:
//   dotnet WebhookSender.EntityFrameworkCore.Tests.Worker.dll <postgres|sqlite> <connection string> <attempt timeout ms> <lease ms>
// Prints "ready" once the dispatcher runs.
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WebhookSender;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: <postgres|sqlite> <connection string> <attempt timeout ms> <lease ms>");
    return 2;
}

string provider = args[0];
string connectionString = args[1];
var attemptTimeout = TimeSpan.FromMilliseconds(int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
var lease = TimeSpan.FromMilliseconds(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));

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
        o.AttemptTimeout = attemptTimeout;
        o.LeaseDuration = lease;
    })
    .AddEventType("order.created", "An order was placed")
    .AddEventType("order.updated", "An order changed")
    .AddEntityFrameworkStore<WorkerDbContext>(o => o.PollInterval = TimeSpan.FromMilliseconds(200));

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await host.WaitForShutdownAsync();
return 0;

/// <summary>The worker's context: the webhook tables only.</summary>
internal sealed class WorkerDbContext(DbContextOptions<WorkerDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddWebhookSender();
}
