using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
/// "another origin" that frames a link (the same server as <c>localhost</c>: another origin and site for the browser,
/// still loopback, which Chromium's local-network rules require), and a real receiver. No retries: a failed attempt fails its delivery for good.
/// </summary>
public sealed class PortalHost : IAsyncDisposable
{
    public const string LinkPortal = "/embed/webhooks";


    private readonly WebApplication _app;

    private PortalHost(WebApplication app, WebhookTestReceiver receiver, Uri baseAddress, Uri partnerOrigin)
    {
        PartnerOrigin = partnerOrigin;
        _app = app;
        Receiver = receiver;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The "other origin" whose page frames the portal: this server, named localhost.</summary>
    public Uri PartnerOrigin { get; }

    /// <summary>The partner's page with the portal in an iframe at <paramref name="link"/>.</summary>
    public string PartnerPage(Uri link) => new Uri(PartnerOrigin, "/partner?link=" + Uri.EscapeDataString(link.ToString())).ToString();

    public WebhookTestReceiver Receiver { get; }

    public IServiceProvider Services => _app.Services;

    public IWebhookPublisher Publisher => Services.GetRequiredService<IWebhookPublisher>();

    public static string PortalPath(string workspace) => $"/workspaces/{workspace}/webhooks/portal";

    /// <param name="services">More services: the host's authentication, say.</param>
    /// <param name="signIn">Middleware and endpoints mapped before the API: the host's sign-in, say.</param>
    /// <param name="policy">The authorization policy the API and the in-app portal require; none by default.</param>
    public static async Task<PortalHost> StartAsync(Action<WebApplicationBuilder>? services = null, Action<WebApplication>? signIn = null, string? policy = null)
    {
        var receiver = await WebhookTestReceiver.StartAsync();
        int port = FreePort();
        string partnerOrigin = $"http://localhost:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
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
        services?.Invoke(builder);
        var app = builder.Build();
        signIn?.Invoke(app);
        var api = app.MapWebhooks("/api/workspaces/{workspaceId}/webhooks");
        var portal = app.MapWebhookPortal("/workspaces/{workspaceId}/webhooks/portal", o =>
        {
            o.Title = "Acme Shop webhooks";
            o.PrimaryColor = "#0f766e";
        });
        if (policy is not null)
        {
            api.RequireAuthorization(policy);
            portal.RequireAuthorization(policy);
        }

        app.MapWebhookPortal(LinkPortal, o =>
        {
            o.SignedLinks = true;
            o.FrameAncestors.Add(partnerOrigin);
        });
        app.MapGet("/partner", (string link) => Results.Content(
            $"<!doctype html><title>Partner app</title><h1>Partner app</h1><iframe title=\"Webhooks\" src=\"{HtmlEncoder.Default.Encode(link)}\" style=\"width:1200px;height:760px;border:0\"></iframe>",
            "text/html"));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new PortalHost(app, receiver, address, new Uri(partnerOrigin));
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>A signed link to the portal for <paramref name="tenant"/>, as the host's backend issues it.</summary>
    public Uri Link(string tenant, WebhookPortalPermissions permissions, TimeSpan? lifetime = null) =>
        Services.GetRequiredService<WebhookPortalLinks>().CreateLink(new Uri(BaseAddress, LinkPortal), tenant, permissions, lifetime);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public sealed record OrderCreated(string OrderId, int Items, decimal Total);

public sealed record OrderShipped(string OrderId, string? Carrier);
