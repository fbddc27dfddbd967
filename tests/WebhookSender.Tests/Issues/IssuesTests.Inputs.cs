using Microsoft.Extensions.DependencyInjection;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Issues;

/// <summary>Issue 19: inputs that used to be accepted and then broke every attempt are refused where they are given, naming the field.</summary>
public partial class IssuesTests
{
    private static readonly Uri GoodUrl = new("https://example.com/hooks");

    // A UserAgent with line breaks, control or non-ASCII characters is a row of StartupTests.Bad_options_fail_at_start_up_with_what_to_fix;
    // port 0, non-ASCII header values and tokens, and tenant ids with control characters are rows of
    // SubscriptionValidationTests.BadRequests. Here: that a refused credential is never echoed, and the rest.
    [Theory]
    [InlineData("tök€n")]
    [InlineData("schlüssel")]
    public async Task A_refused_non_ASCII_credential_is_named_but_never_echoed(string credential)
    {
        await using var host = await TestHost.StartAsync();

        var bearer = await Assert.ThrowsAsync<WebhookValidationException>(() =>
            host.Subscriptions.CreateAsync(new() { Url = GoodUrl, Authentication = WebhookAuthentication.Bearer(credential) }));
        var header = await Assert.ThrowsAsync<WebhookValidationException>(() =>
            host.Subscriptions.CreateAsync(new() { Url = GoodUrl, Authentication = WebhookAuthentication.Header("X-Api-Key", credential) }));

        Assert.All([bearer, header], error =>
        {
            Assert.Contains("printable ASCII", string.Join(" ", error.Errors["Authentication"]));
            Assert.DoesNotContain(credential, error.Message);
        });
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
