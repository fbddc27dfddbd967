using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WebhookSender.Tests.Sending;

/// <summary>
/// An OAuth2 token endpoint of the tests' own on 127.0.0.1 (client credentials grant, client_secret_basic): counts the
/// token requests, issues <c>tok-1</c>, <c>tok-2</c>… and can be made to fail.
/// </summary>
internal sealed class TokenServer : IAsyncDisposable
{
    public const string ClientId = "shop";
    public const string ClientSecret = "client-s3cret-value";

    private readonly WebApplication _app;
    private int _issued;

    private TokenServer(WebApplication app, Uri url)
    {
        _app = app;
        TokenUrl = url;
    }

    public Uri TokenUrl { get; }

    /// <summary>Token requests received (well-formed or not).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The form of each token request.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Forms { get; } = new();

    /// <summary>When set, every token request gets this status and an RFC 6749 error body.</summary>
    public int? FailWith { get; set; }

    /// <summary>The lifetime given to tokens (expires_in, seconds).</summary>
    public int ExpiresIn { get; set; } = 3600;

    /// <summary>How long the endpoint takes to answer (so concurrent callers overlap).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(200);

    private int _requests;

    /// <summary>The last token issued.</summary>
    public string Current => $"tok-{Volatile.Read(ref _issued)}";

    public static async Task<TokenServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TokenServer? server = null;
        app.MapPost("/oauth/token", (HttpContext context) => server!.IssueAsync(context));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server = new TokenServer(app, new Uri(address, "/oauth/token"));
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task IssueAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var form = await context.Request.ReadFormAsync();
        Forms.Enqueue(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
        await Task.Delay(Delay);
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
        if (FailWith is { } status)
        {
            await AnswerAsync(context, status, """{"error":"temporarily_unavailable","error_description":"maintenance"}""");
        }
        else if (context.Request.Headers.Authorization != expected || form["grant_type"] != "client_credentials")
        {
            await AnswerAsync(context, 401, """{"error":"invalid_client"}""");
        }
        else
        {
            await AnswerAsync(context, 200, $$"""{"access_token":"tok-{{Interlocked.Increment(ref _issued)}}","token_type":"Bearer","expires_in":{{ExpiresIn}}}""");
        }
    }

    private static Task AnswerAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }
}
