using System.Net;
using Microsoft.Extensions.Options;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Transport;

/// <summary>
/// Webhook traffic through an HTTP proxy of the tests' own on 127.0.0.1 that counts CONNECT tunnels and plain proxy
/// requests (issue 24, item 3). Every receiver is on 127.0.0.1 or ::1.
/// </summary>
public sealed class EgressProxyTests : IDisposable
{
    private readonly TestCertificates _ca = TestCertificates.CreateAuthority("WebhookSender Test CA");

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task With_the_hosts_proxy_https_goes_through_a_tunnel_to_the_checked_address_and_http_as_a_proxy_request()
    {
        await using var proxy = ForwardingProxy.Start();
        using var server = _ca.IssueServer();
        await using var tls = await TlsReceiver.StartAsync(server);
        await using var plain = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o =>
        {
            o.RetrySchedule = [];
            o.Destinations.Proxy = WebhookProxy.Through(proxy.Url);
        });
        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = tls.Url, TrustedRoots = [_ca.AuthorityPem] });
        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = plain.UrlFor("/hooks") });

        for (int i = 0; i < 3; i++)
        {
            await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = i }));
        }

        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(), a => a.Count == 6, "six attempts");
        Assert.All(attempts, a => Assert.True(a.Succeeded, a.Error));
        Assert.Equal(3, tls.ClientCertificates.Count);
        Assert.Equal(3, plain.ReceivedOn("/hooks").Count);

        // A tunnel per connection (kept for the next requests; concurrent first attempts may open more than one), each to
        // the address the guard checked; one proxy request per plain delivery, each naming its destination.
        Assert.InRange(proxy.Connects, 1, 3);
        Assert.Equal(proxy.Connects, proxy.Targets.Count(t => t == $"CONNECT 127.0.0.1:{tls.Url.Port}"));
        Assert.Equal(3, proxy.PlainRequests);
        Assert.Equal(3, proxy.Targets.Count(t => t == $"POST {plain.UrlFor("/hooks")}"));
    }

    [Fact]
    public async Task The_oauth2_token_request_leaves_through_the_proxy_too()
    {
        await using var proxy = ForwardingProxy.Start();
        await using var tokenServer = await Sending.TokenServer.StartAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(o =>
        {
            o.RetrySchedule = [];
            o.Destinations.Proxy = WebhookProxy.Through(proxy.Url);
        });
        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/hooks"),
            Authentication = WebhookAuthentication.OAuth2(tokenServer.TokenUrl, Sending.TokenServer.ClientId, Sending.TokenServer.ClientSecret),
        });

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempt = (await Eventually.WaitForAsync(() => host.AttemptsAsync(), a => a.Count == 1, "the attempt")).Single();
        Assert.True(attempt.Succeeded, attempt.Error);
        Assert.Equal([$"POST {tokenServer.TokenUrl}", $"POST {receiver.UrlFor("/hooks")}"], proxy.Targets);
    }

    [Fact]
    public async Task The_guard_still_judges_the_final_destination_and_the_proxy_is_never_asked()
    {
        await using var proxy = ForwardingProxy.Start();
        using var server = _ca.IssueServer();
        await using var tls = await TlsReceiver.StartAsync(server);
        await using var plain = await WebhookTestReceiver.StartAsync();

        // The host's proxy may be on loopback (the host named it); the endpoints on loopback may not be reached.
        await using var host = await TestHost.StartAsync(o =>
        {
            o.RetrySchedule = [];
            o.Destinations.AllowLoopback = false;
            o.Destinations.Proxy = WebhookProxy.Through(proxy.Url);
        });
        var https = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = tls.Url, TrustedRoots = [_ca.AuthorityPem] });
        var http = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = new Uri($"http://localhost:{plain.UrlFor("/").Port}/hooks") });
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(), a => a.Count == 2, "two attempts");
        var bySubscription = attempts.ToDictionary(a => a.SubscriptionId);
        Assert.StartsWith("Refused to connect to 127.0.0.1: it is a loopback address.", bySubscription[https.Subscription.Id].Error);
        Assert.StartsWith("Refused to connect to localhost (", bySubscription[http.Subscription.Id].Error);
        Assert.Equal((0, 0, 0), (proxy.Connections, proxy.Connects, proxy.PlainRequests));
        Assert.Empty(tls.ClientCertificates);
        Assert.Empty(plain.ReceivedOn("/hooks"));
    }

    [Fact]
    public async Task A_subscriptions_own_proxy_may_be_on_a_private_address_only_when_the_host_names_it()
    {
        await using var proxy = ForwardingProxy.Start();
        using var server = _ca.IssueServer();
        await using var tls = await TlsReceiver.StartAsync(server, address: IPAddress.IPv6Loopback);

        // The endpoint on ::1 is allowed by a network; loopback in general (so 127.0.0.1, the proxy's) is not.
        void Configure(WebhookOptions o)
        {
            o.RetrySchedule = [];
            o.Destinations.AllowLoopback = false;
            o.Destinations.AllowedNetworks.Add("::1/128");
        }

        var request = new WebhookSubscriptionRequest { Url = tls.Url, TrustedRoots = [_ca.AuthorityPem], Proxy = WebhookProxy.Through(proxy.Url) };
        await using (var unnamed = await TestHost.StartAsync(Configure))
        {
            await unnamed.Subscriptions.CreateAsync(request);
            var published = await unnamed.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
            var attempt = (await Eventually.WaitForAsync(() => unnamed.AttemptsAsync(messageId: published.MessageId), a => a.Count == 1, "the attempt")).Single();
            Assert.Equal(
                "Refused to connect to the subscription's proxy 127.0.0.1: 127.0.0.1 is a loopback address. A subscription may name a proxy on a non-public address " +
                "only when the host names it too: add it to WebhookOptions.Destinations.AllowedProxies (or make it Destinations.Proxy).",
                attempt.Error);
            Assert.Equal(0, proxy.Connections);
        }

        await using var named = await TestHost.StartAsync(o =>
        {
            Configure(o);
            o.Destinations.AllowedProxies.Add(proxy.Url.ToString());
        });
        await named.Subscriptions.CreateAsync(request);
        var delivered = await named.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 2 }));
        var ok = (await Eventually.WaitForAsync(() => named.AttemptsAsync(messageId: delivered.MessageId), a => a.Count == 1, "the attempt")).Single();
        Assert.True(ok.Succeeded, ok.Error);
        Assert.Equal([$"CONNECT [::1]:{tls.Url.Port}"], proxy.Targets);
    }

    [Fact]
    public async Task A_subscription_can_go_direct_past_the_hosts_proxy_or_use_its_own_with_credentials()
    {
        await using var hostProxy = ForwardingProxy.Start();
        await using var ownProxy = ForwardingProxy.Start();
        ownProxy.RequiredCredentials = ("shop", "pr0xy-pa55");
        await using var receiver = await WebhookTestReceiver.StartAsync();
        using var server = _ca.IssueServer();
        await using var tls = await TlsReceiver.StartAsync(server);
        await using var host = await TestHost.StartAsync(o =>
        {
            o.RetrySchedule = [];
            o.Destinations.Proxy = WebhookProxy.Through(hostProxy.Url);
            o.Destinations.AllowedProxies.Add(ownProxy.Url.ToString());
        });

        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.UrlFor("/direct"), Proxy = WebhookProxy.Direct });
        var plainOwn = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.UrlFor("/own"), Proxy = WebhookProxy.Through(ownProxy.Url, "shop", "pr0xy-pa55") });
        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = tls.Url, TrustedRoots = [_ca.AuthorityPem], Proxy = WebhookProxy.Through(ownProxy.Url, "shop", "pr0xy-pa55") });
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var attempts = await Eventually.WaitForAsync(() => host.AttemptsAsync(), a => a.Count == 3, "three attempts");
        Assert.All(attempts, a => Assert.True(a.Succeeded, a.Error));
        Assert.Single(receiver.ReceivedOn("/direct"));
        Assert.Single(receiver.ReceivedOn("/own"));
        Assert.Single(tls.ClientCertificates);
        Assert.Equal(0, hostProxy.Connections);
        Assert.Equal((1, 1), (ownProxy.Connects, ownProxy.PlainRequests));

        // The password is redacted in read APIs and never in the attempt log.
        Assert.Equal("********", plainOwn.Subscription.Proxy!.Password);
        Assert.DoesNotContain("pr0xy-pa55", System.Text.Json.JsonSerializer.Serialize(attempts), StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-pa55", plainOwn.Subscription.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-pa55", (await host.Store.GetSubscriptionAsync(plainOwn.Subscription.Id, default))!.ToString(), StringComparison.Ordinal);
        Assert.Contains(ownProxy.Authorizations, a => a == "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("shop:pr0xy-pa55")));
    }

    [Fact]
    public async Task A_proxy_that_refuses_is_a_failed_attempt_that_names_the_proxy_and_why()
    {
        await using var proxy = ForwardingProxy.Start();
        proxy.RequiredCredentials = ("shop", "right");
        using var server = _ca.IssueServer();
        await using var tls = await TlsReceiver.StartAsync(server);
        await using var host = await TestHost.StartAsync(o =>
        {
            o.RetrySchedule = [];
            o.Destinations.AllowedProxies.Add(proxy.Url.ToString());
        });
        string authority = proxy.Url.Authority;
        string endpoint = $"127.0.0.1:{tls.Url.Port}";

        var none = await AttemptThroughAsync(host, tls, WebhookProxy.Through(proxy.Url));
        Assert.Equal($"Could not connect to {endpoint}: The proxy {authority} asks for credentials (407 Proxy Authentication Required); give the proxy a Username and Password.", none.Error);

        var wrong = await AttemptThroughAsync(host, tls, WebhookProxy.Through(proxy.Url, "shop", "wr0ng-pa55"));
        Assert.Equal($"Could not connect to {endpoint}: The proxy {authority} refused its credentials (407 Proxy Authentication Required); check the proxy's Username and Password.", wrong.Error);
        Assert.DoesNotContain("wr0ng-pa55", System.Text.Json.JsonSerializer.Serialize(wrong), StringComparison.Ordinal);

        proxy.RequiredCredentials = null;
        proxy.RefuseConnectWith = 403;
        var refused = await AttemptThroughAsync(host, tls, WebhookProxy.Through(proxy.Url));
        Assert.Equal($"Could not connect to {endpoint}: The proxy {authority} would not open a tunnel to {endpoint}: 403 Refused By Test Proxy.", refused.Error);
        Assert.Empty(tls.ClientCertificates);
    }

    [Fact]
    public async Task Proxy_settings_that_cannot_work_are_refused_with_what_to_write()
    {
        await using var host = await TestHost.StartAsync();
        var url = new Uri("https://receiver.example/hooks");
        var cases = new Dictionary<string, WebhookProxy>
        {
            ["The proxy URL must be http://host:port: WebhookSender talks plain HTTP to the proxy"] = WebhookProxy.Through(new Uri("https://proxy.example:3128")),
            ["The proxy URL must be http://host:port, without a path, query or credentials"] = WebhookProxy.Through(new Uri("http://user:s3cret@proxy.example:3128")),
            ["The proxy URL must be http://host:port, without a path"] = WebhookProxy.Through(new Uri("http://proxy.example:3128/path")),
            ["A proxy password needs a Username"] = new() { Url = new Uri("http://proxy.example:3128"), Password = "x" },
            ["A direct connection (no proxy URL) takes no proxy credentials"] = new() { Username = "shop" },
        };

        foreach (var (expected, proxy) in cases)
        {
            var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = url, Proxy = proxy }));
            var message = Assert.Single(error.Errors["Proxy"]);
            Assert.StartsWith(expected, message, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", message, StringComparison.Ordinal);
        }

        Assert.Empty((await host.Subscriptions.ListAsync()).Items);
    }

    [Fact]
    public async Task A_host_proxy_or_allowed_proxy_that_is_not_an_http_proxy_url_stops_start_up()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(o =>
        {
            o.Destinations.Proxy = WebhookProxy.Through(new Uri("socks5://127.0.0.1:1080"));
            o.Destinations.AllowedProxies.Add("not a url");
        }));
        Assert.Contains(error.Failures, f => f.StartsWith("WebhookOptions.Destinations.Proxy: The proxy URL must be http://host:port", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("WebhookOptions.Destinations.AllowedProxies has 'not a url'", StringComparison.Ordinal));
    }

    private async Task<DeliveryAttempt> AttemptThroughAsync(TestHost host, TlsReceiver tls, WebhookProxy proxy)
    {
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = tls.Url, TrustedRoots = [_ca.AuthorityPem], Proxy = proxy });
        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        var attempt = (await Eventually.WaitForAsync(() => host.AttemptsAsync(created.Subscription.Id), a => a.Count == 1, "the attempt")).Single();
        await host.Subscriptions.DeleteAsync(created.Subscription.Id);
        return attempt;
    }
}
