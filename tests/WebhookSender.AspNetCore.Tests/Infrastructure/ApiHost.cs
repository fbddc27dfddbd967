using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WebhookSender.AspNetCore;
using WebhookSender.Testing;

namespace WebhookSender.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A real ASP.NET Core app on Kestrel, 127.0.0.1, with the in-memory store, two event types, the API mapped at
/// <see cref="Prefix"/>, the OpenAPI document, and a real receiver to send to.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    public const string Prefix = "/api/workspaces/{workspaceId}/webhooks";

    private readonly WebApplication _app;

    private ApiHost(WebApplication app, WebhookTestReceiver receiver, Uri baseAddress)
    {
        _app = app;
        Receiver = receiver;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public WebhookTestReceiver Receiver { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public IWebhookPublisher Publisher => Services.GetRequiredService<IWebhookPublisher>();

    public static async Task<ApiHost> StartAsync(
        Action<WebhookApiOptions>? api = null,
        Action<WebApplicationBuilder>? services = null,
        Action<RouteGroupBuilder>? group = null,
        string prefix = Prefix,
        Func<Microsoft.AspNetCore.Http.HttpContext, System.Security.Claims.ClaimsPrincipal>? user = null,
        Action<WebApplication>? map = null)
    {
        var receiver = await WebhookTestReceiver.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddOpenApi();
        builder.Services.AddWebhooks(o =>
            {
                o.Destinations.AllowLoopback = true;
                o.RetrySchedule = [TimeSpan.FromHours(1)];
            })
            .AddEventType<OrderCreated>("order.created", "An order was placed", new OrderCreated("ord_1", 2, 19.90m, ["book"]))
            .AddEventType<OrderShipped>("order.shipped", "An order left the warehouse", new OrderShipped("ord_1", "ups", DateTimeOffset.UnixEpoch))
            .AddInMemoryStore();
        services?.Invoke(builder);
        var app = builder.Build();
        if (user is not null)
        {
            // Stands in for the host's authentication: the user is whoever the request says.
            app.Use((context, next) =>
            {
                context.User = user(context);
                return next(context);
            });
        }

        app.MapOpenApi();
        var mapped = app.MapWebhooks(prefix, api);
        group?.Invoke(mapped);
        map?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiHost(app, receiver, new Uri(address));
    }

    public static string Path(string workspace, string rest = "") => $"/api/workspaces/{workspace}/webhooks{rest}";

    /// <summary>Creates a subscription through the API and returns its JSON (subscription and secret).</summary>
    public async Task<JsonObject> CreateAsync(string workspace, object body)
    {
        var response = await Client.PostAsJsonAsync(Path(workspace), body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"create answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<string> CreateIdAsync(string workspace, string path = "/hooks", string[]? eventTypes = null) =>
        (string)(await CreateAsync(workspace, new { url = Receiver.UrlFor(path), eventTypes = eventTypes ?? ["order.created"] }))["subscription"]!["id"]!;

    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public sealed record OrderCreated(string OrderId, int Items, decimal Total, IReadOnlyList<string> Tags);

public sealed record OrderShipped(string OrderId, string? Carrier, DateTimeOffset ShippedAt);
