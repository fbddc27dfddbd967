using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace WebhookSender.Tests.Serialization;

/// <summary>
/// How event data and context become JSON: through the resolver of <see cref="WebhookOptions.JsonSerializerOptions"/>
/// (what native AOT apps rely on), and JSON values as they are. docs/packaging.md shows the same.
/// </summary>
public partial class EventDataJsonTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_app_context_inserted_in_front_serves_its_types_and_reflection_still_serves_the_rest()
    {
        var options = new WebhookOptions();
        options.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, ListedJsonContext.Default);

        var listed = Message(new WebhookEvent("order.paid", new ListedOrder(1042, "paid")), options);
        var unlisted = Message(new WebhookEvent("order.paid", new { orderId = 7 }) { Context = new Dictionary<string, object?> { ["sender"] = "shop" } }, options);

        // The context's [JsonPropertyName] shows it served the type; the default's camelCase applies to both.
        Assert.Equal("""{"order_id":1042,"status":"paid"}""", listed.Data.GetRawText());
        Assert.Equal("""{"orderId":7}""", unlisted.Data.GetRawText());
        Assert.Equal("""{"sender":"shop"}""", unlisted.Context!.Value.GetRawText());
    }

    [Fact]
    public void JSON_elements_and_nodes_are_sent_as_they_are_without_any_type_metadata()
    {
        // A resolver that knows no type at all: what a native AOT app has before it adds its own context.
        var options = new WebhookOptions { JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = JsonTypeInfoResolver.Combine() } };
        using var document = JsonDocument.Parse("""{"orderId":1042,"lines":[{"sku":"A-1"}]}""");

        var fromElement = Message(new WebhookEvent("order.paid", document.RootElement), options);
        var fromNode = Message(new WebhookEvent("order.paid", new JsonObject { ["orderId"] = 1042, ["lines"] = new JsonArray(new JsonObject { ["sku"] = "A-1" }) }), options);
        var empty = Message(new WebhookEvent("order.paid", null), options);

        Assert.Equal("""{"orderId":1042,"lines":[{"sku":"A-1"}]}""", fromElement.Data.GetRawText());
        Assert.Equal("""{"orderId":1042,"lines":[{"sku":"A-1"}]}""", fromNode.Data.GetRawText());
        Assert.Equal(JsonValueKind.Null, empty.Data.ValueKind);
        var refused = Assert.Throws<WebhookValidationException>(() => Message(new WebhookEvent("order.paid", new { orderId = 7 }), options));
        Assert.Contains("cannot be serialized to JSON", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_element_is_copied_so_disposing_its_document_after_publishing_changes_nothing()
    {
        var document = JsonDocument.Parse("""{"orderId":1042}""");
        var message = Message(new WebhookEvent("order.paid", document.RootElement), new WebhookOptions());
        document.Dispose();

        Assert.Equal(1042, message.Data.GetProperty("orderId").GetInt32());
    }

    private static WebhookMessage Message(WebhookEvent webhookEvent, WebhookOptions options) =>
        WebhookPublisher.CreateMessage(webhookEvent, Now, options.JsonSerializerOptions);

    internal sealed record ListedOrder([property: JsonPropertyName("order_id")] int OrderId, string Status);

    [JsonSerializable(typeof(ListedOrder))]
    internal sealed partial class ListedJsonContext : JsonSerializerContext;
}
