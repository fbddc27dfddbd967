// The management API and the customers' portal on a web app: customers of "workspaces" manage their webhooks.
//   dotnet run --project samples/WebhookSender.Web                       (in-memory store)
//   dotnet run --project samples/WebhookSender.Web -- --durable web.db    (SQLite file; survives restarts)
// It listens on http://127.0.0.1:5080: the portal for workspace "acme" is at /workspaces/acme/webhooks/portal, a signed
// link for an iframe comes from /workspaces/acme/portal-link, and a receiver of its own is at /receiver/{name}.
using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using WebhookSender;
using WebhookSender.AspNetCore;
using WebhookSender.Web;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:5080");
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);

var webhooks = builder.Services
    .AddWebhooks(o =>
    {
        // The sample's receiver is on this machine; a real host keeps the default, which refuses loopback and private addresses.
        o.Destinations.AllowLoopback = true;
        o.RetrySchedule = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5)];
    })
    .AddEventType<OrderPlaced>("order.placed", "An order was placed", new OrderPlaced("ord_1042", 2, 99.50m))
    .AddEventType<OrderShipped>("order.shipped", "An order left the warehouse", new OrderShipped("ord_1042", "ups", DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture)))
    .AddPortalLinks();

string? durable = args.SkipWhile(a => a != "--durable").Skip(1).FirstOrDefault();
if (durable is not null)
{
    builder.Services.AddDbContext<WebDbContext>(o => o.UseSqlite($"Data Source={durable}"));
    webhooks.AddEntityFrameworkStore<WebDbContext>();
}
else
{
    webhooks.AddInMemoryStore();
}

builder.Services.AddHealthChecks().AddWebhooks();

var app = builder.Build();
if (durable is not null)
{
    // A real app adds the tables with a migration; the sample creates them on first run.
    await using var scope = app.Services.CreateAsyncScope();
    await scope.ServiceProvider.GetRequiredService<WebDbContext>().Database.EnsureCreatedAsync();
}

// The API. A real host adds its authentication here: .RequireAuthorization("webhooks").
app.MapWebhooks("/api/workspaces/{workspaceId}/webhooks");

// The portal in the app's own pages: it calls the API above with the host's sign-in (a real host adds
// .RequireAuthorization("webhooks") to both).
app.MapWebhookPortal("/workspaces/{workspaceId}/webhooks/portal", o => o.Title = "Acme Shop webhooks");

// The portal for an iframe on another origin, opened with a signed link the app's backend issues for one workspace.
app.MapWebhookPortal("/embed/webhooks", o => o.SignedLinks = true);
app.MapGet("/workspaces/{workspaceId}/portal-link", (string workspaceId, HttpRequest request, WebhookPortalLinks links) =>
{
    // A real host checks here that the signed-in user belongs to the workspace, and grants what their role allows.
    var portal = new Uri($"{request.Scheme}://{request.Host}/embed/webhooks");
    return Results.Ok(new { url = links.CreateLink(portal, workspaceId, WebhookPortalPermissions.All, TimeSpan.FromMinutes(10)) });
});
app.MapGet("/", () => Results.Redirect("/workspaces/acme/webhooks/portal"));
app.MapHealthChecks("/healthz");

// The app's own business endpoint: placing an order publishes an event to the workspace's subscribers.
app.MapPost("/api/workspaces/{workspaceId}/orders", async (string workspaceId, OrderPlaced order, IWebhookPublisher publisher) =>
{
    var result = await publisher.PublishAsync(new WebhookEvent("order.placed", order) { TenantId = workspaceId });
    return Results.Accepted(value: result);
});

// A receiver to point subscriptions at: it keeps what it got, and answers 500 on /receiver/failing.
var received = new ConcurrentQueue<object>();
app.MapPost("/receiver/{name}", async (string name, HttpRequest request) =>
{
    using var reader = new StreamReader(request.Body);
    received.Enqueue(new { name, webhookId = request.Headers["webhook-id"].ToString(), type = request.Headers["webhook-event-type"].ToString(), body = await reader.ReadToEndAsync() });
    return name == "failing" ? Results.StatusCode(500) : Results.Ok();
});
app.MapGet("/receiver", () => received.ToArray());

Console.WriteLine($"WebhookSender.Web on {string.Join(", ", app.Urls.DefaultIfEmpty("http://127.0.0.1:5080"))} ({(durable is null ? "in-memory store" : $"SQLite file {durable}")}); Ctrl+C stops it.");
await app.RunAsync();
