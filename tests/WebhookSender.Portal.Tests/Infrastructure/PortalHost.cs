using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WebhookSender.AspNetCore;
using WebhookSender.Testing;

namespace WebhookSender.Portal.Tests.Infrastructure;

/// <summary>
/// A real app on Kestrel, 127.0.0.1: the in-memory store, two event types, the management API for workspaces, the
/// portal in the app's own pages (<see cref="PortalPath"/>) and for signed links (<see cref="LinkPortal"/>), a page of
/// "another origin" that frames a link, and a real receiver. No retries: a failed attempt fails its delivery for good.
/// </summary>
public sealed class PortalHost : IAsyncDisposable
{
    public const string LinkPortal = "/embed/webhooks";

    /// <summary>The "other origin" that frames the portal; the browser is served its page by the test, never the network.</summary>
    public const string PartnerOrigin = "http://partner.test";

    private readonly WebApplication _app;

    private PortalHost(WebApplication app, WebhookTestReceiver receiver, Uri baseAddress)
    {
        _app = app;
        Receiver = receiver;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public WebhookTestReceiver Receiver { get; }

    public IServiceProvider Services => _app.Services;

    public IWebhookPublisher Publisher => Services.GetRequiredService<IWebhookPublisher>();

    public static string PortalPath(string workspace) => $"/workspaces/{workspace}/webhooks/portal";

    public static async Task<PortalHost> StartAsync()
    {
        var receiver = await WebhookTestReceiver.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddWebhooks(o =>
            {
                o.Destinations.AllowLoopback = true;
                o.RetrySchedule = [];
            })
            .AddEventType<OrderCreated>("order.created", "An order was placed", new OrderCreated("ord_1", 2, 19.90m))
            .AddEventType<OrderShipped>("order.shipped", "An order left the warehouse", new OrderShipped("ord_1", "ups"))
            .AddInMemoryStore()
            .AddPortalLinks();
        var app = builder.Build();
        app.MapWebhooks("/api/workspaces/{workspaceId}/webhooks");
        app.MapWebhookPortal("/workspaces/{workspaceId}/webhooks/portal", o =>
        {
            o.Title = "Acme Shop webhooks";
            o.PrimaryColor = "#0f766e";
        });
        app.MapWebhookPortal(LinkPortal, o =>
        {
            o.SignedLinks = true;
            o.FrameAncestors.Add(PartnerOrigin);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new PortalHost(app, receiver, address);
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>A signed link to the portal for <paramref name="tenant"/>, as the host's backend issues it.</summary>
    public Uri Link(string tenant, WebhookPortalPermissions permissions, TimeSpan? lifetime = null) =>
        Services.GetRequiredService<WebhookPortalLinks>().CreateLink(new Uri(BaseAddress, LinkPortal), tenant, permissions, lifetime);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public sealed record OrderCreated(string OrderId, int Items, decimal Total);

public sealed record OrderShipped(string OrderId, string? Carrier);
