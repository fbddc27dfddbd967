using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.Tests.Transport;

/// <summary>
/// A Kestrel receiver on 127.0.0.1 (or ::1) over HTTPS, with a certificate from a test CA; it may require client
/// certificates, accepting only those issued by <c>clientAuthority</c>. It answers 200 and records who called.
/// </summary>
internal sealed class TlsReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TlsReceiver(WebApplication app, int port, IPAddress address)
    {
        _app = app;
        Url = new Uri($"https://{(address.Equals(IPAddress.IPv6Loopback) ? "[::1]" : "127.0.0.1")}:{port}/hooks");
    }

    public Uri Url { get; }

    /// <summary>The SHA-256 thumbprint of the client certificate of each request received (empty when none).</summary>
    public ConcurrentQueue<string> ClientCertificates { get; } = new();

    /// <summary>Handshakes the server refused a client certificate in.</summary>
    public int RefusedCertificates => Volatile.Read(ref _refused);

    private int _refused;

    public static async Task<TlsReceiver> StartAsync(X509Certificate2 serverCertificate, TestCertificates? clientAuthority = null, IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        TlsReceiver? receiver = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(address, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serverCertificate;
            if (clientAuthority is not null)
            {
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) =>
                {
                    bool trusted = IssuedBy(certificate, clientAuthority.Authority);
                    if (!trusted)
                    {
                        Interlocked.Increment(ref receiver!._refused);
                    }

                    return trusted;
                };
            }
        })));
        var app = builder.Build();
        app.Run(async context =>
        {
            var certificate = context.Connection.ClientCertificate;
            receiver!.ClientCertificates.Enqueue(certificate?.GetCertHashString(HashAlgorithmName.SHA256) ?? "");
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        int port = new Uri(addresses.Single()).Port;
        receiver = new TlsReceiver(app, port, address);
        return receiver;
    }

    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
