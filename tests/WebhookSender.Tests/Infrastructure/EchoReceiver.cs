using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.Tests.Infrastructure;

/// <summary>
/// A Kestrel receiver on 127.0.0.1 that echoes every request header back, in its body, in <c>X-Echo-*</c> response
/// headers and in the reason phrase (as careless receivers do), and answers with the status it is given.
/// </summary>
internal sealed class EchoReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private EchoReceiver(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Text the receiver adds to every body, for example a secret from its own configuration.</summary>
    public string? Extra { get; set; }

    public int StatusCode { get; set; } = StatusCodes.Status500InternalServerError;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<EchoReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        EchoReceiver? receiver = null;
        app.Run(context => receiver!.EchoAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver = new EchoReceiver(app, new Uri(address.TrimEnd('/') + "/"));
        return receiver;
    }

    public Uri UrlFor(string path) => new(BaseAddress, path.TrimStart('/'));

    private async Task EchoAsync(HttpContext context)
    {
        var body = new StringBuilder();
        foreach (var (name, values) in context.Request.Headers)
        {
            body.Append(name).Append(": ").Append(values.ToString()).Append('\n');
            context.Response.Headers["X-Echo-" + name] = values.ToString();
        }

        body.Append(Extra);
        context.Response.StatusCode = StatusCode;
        context.Features.GetRequiredFeature<IHttpResponseFeature>().ReasonPhrase = "Echo " + context.Request.Headers.Authorization;
        Interlocked.Increment(ref _requests);
        await context.Response.WriteAsync(body.ToString());
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
