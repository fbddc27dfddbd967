using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Issues;

/// <summary>Issue 19: inputs that used to be accepted and then broke every attempt are refused where they are given, naming the field.</summary>
public partial class IssuesTests
{
    private static readonly Uri GoodUrl = new("https://example.com/hooks");

    [Theory]
    [InlineData("WebhookSender/1.0\r\nX-Injected: yes")]
    [InlineData("WebhookSender/1.0\n")]
    [InlineData("WebhookSender/1.0\u0007")]
    [InlineData("Webhöök/1.0")]
    public async Task A_user_agent_with_line_breaks_control_or_non_ASCII_characters_stops_start_up(string userAgent)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddWebhooks(o => o.UserAgent = userAgent).AddInMemoryStore();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("WebhookOptions.UserAgent", error.Message);
        Assert.Contains("printable ASCII", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    public static TheoryData<string, WebhookSubscriptionRequest, string, string> InputsThatBrokeLater => new()
    {
        { "port 0", new() { Url = new Uri("https://example.com:0/hooks") }, "Url", "port 0" },
        { "non-ASCII header value", new() { Url = GoodUrl, Headers = new Dictionary<string, string> { ["X-Route"] = "café" } }, "Headers", "printable ASCII" },
        { "non-ASCII bearer token", new() { Url = GoodUrl, Authentication = WebhookAuthentication.Bearer("tök€n") }, "Authentication", "printable ASCII" },
        { "non-ASCII key header", new() { Url = GoodUrl, Authentication = WebhookAuthentication.Header("X-Api-Key", "schlüssel") }, "Authentication", "printable ASCII" },
        { "tenant with line break", new() { Url = GoodUrl, TenantId = "acme\r\nforged" }, "TenantId", "control characters" },
        { "tenant with escape", new() { Url = GoodUrl, TenantId = "acme\u001b[2J" }, "TenantId", "control characters" },
    };

    [Theory]
    [MemberData(nameof(InputsThatBrokeLater))]
    public async Task Inputs_that_would_break_every_attempt_are_refused_naming_the_field(string kind, WebhookSubscriptionRequest request, string field, string expected)
    {
        await using var host = await TestHost.StartAsync();

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Subscriptions.CreateAsync(request));

        Assert.True(error.Errors.ContainsKey(field), $"{kind}: expected an error on {field}, got {error.Message}");
        Assert.Contains(expected, string.Join(" ", error.Errors[field]));
        Assert.DoesNotContain("tök€n", error.Message);
        Assert.DoesNotContain("schlüssel", error.Message);
        Assert.Empty((await host.Subscriptions.ListAsync()).Items);
    }

    [Fact]
    public async Task Basic_credentials_may_hold_non_ASCII_text_because_they_travel_base64_encoded()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync();
        await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = receiver.UrlFor("/basic"), Authentication = WebhookAuthentication.Basic("jürgen", "pässwörd") });

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));

        var received = Assert.Single(await receiver.WaitForCountAsync("/basic", 1, TimeSpan.FromSeconds(20)));
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("jürgen:pässwörd")), received.Headers["Authorization"]);
    }

    [Fact]
    public async Task Publishing_for_a_tenant_id_with_control_characters_is_refused_naming_the_field()
    {
        await using var host = await TestHost.StartAsync();

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() =>
            host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }) { TenantId = "acme\nforged" }));

        Assert.Equal(["TenantId"], error.Errors.Keys);
        Assert.Contains("control characters", error.Errors["TenantId"][0]);
    }

    [Fact]
    public void Registering_the_built_in_ping_type_is_refused_at_AddEventType()
    {
        var builder = new ServiceCollection().AddWebhooks();

        var error = Assert.Throws<ArgumentException>(() => builder.AddEventType("webhook.ping", "My own ping"));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("'webhook.ping' is the built-in", error.Message);
    }

    [Fact]
    public void Registering_a_type_twice_is_refused_at_the_second_AddEventType()
    {
        var builder = new ServiceCollection().AddWebhooks().AddEventType("order.created", "An order was placed");

        var error = Assert.Throws<ArgumentException>(() => builder.AddEventType("order.created", "Again"));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("'order.created' is already registered", error.Message);
    }

    public static TheoryData<string, WebhookEvent, string> NonFinitePayloads => new()
    {
        { "NaN in data", new WebhookEvent("order.created", new { total = double.NaN }), "Data" },
        { "Infinity in data", new WebhookEvent("order.created", new { total = double.PositiveInfinity }), "Data" },
        { "-Infinity in context", new WebhookEvent("order.created", new { id = 1 }) { Context = new Dictionary<string, object?> { ["score"] = float.NegativeInfinity } }, "Context" },
    };

    [Theory]
    [MemberData(nameof(NonFinitePayloads))]
    public async Task A_payload_with_NaN_or_Infinity_is_refused_naming_the_event_and_what_to_do(string kind, WebhookEvent webhookEvent, string field)
    {
        await using var host = await TestHost.StartAsync();

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Publisher.PublishAsync(webhookEvent));

        Assert.True(error.Errors.ContainsKey(field), $"{kind}: expected an error on {field}, got {error.Message}");
        string text = error.Errors[field][0];
        Assert.Contains("'order.created'", text);
        Assert.Contains("NaN or Infinity", text);
        Assert.Contains("JsonNumberHandling.AllowNamedFloatingPointLiterals", text);
    }

    [Fact]
    public async Task A_payload_that_cannot_be_serialized_for_another_reason_is_refused_with_the_serializer_words()
    {
        await using var host = await TestHost.StartAsync();
        var cycle = new Node();
        cycle.Next = cycle;

        var error = await Assert.ThrowsAsync<WebhookValidationException>(() => host.Publisher.PublishAsync(new WebhookEvent("order.created", cycle)));

        string text = error.Errors["Data"][0];
        Assert.Contains("'order.created'", text);
        Assert.Contains("cycle", text);
        Assert.DoesNotContain("NaN", text);
    }

    private sealed class Node
    {
        public Node? Next { get; set; }
    }
}
