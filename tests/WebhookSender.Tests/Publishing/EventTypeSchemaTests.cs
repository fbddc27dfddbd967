using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.Tests.Publishing;

/// <summary>An event type registered with its payload type carries the JSON Schema of that type, as the data is written.</summary>
public sealed class EventTypeSchemaTests
{
    public sealed record OrderShipped(string OrderId, int Items, DateTimeOffset ShippedAt, string? Carrier);

    [Fact]
    public void The_schema_is_derived_from_the_payload_type_with_the_payload_serializer_options()
    {
        var services = new ServiceCollection();
        services.AddWebhooks()
            .AddEventType("order.shipped", "An order left the warehouse", (object)new OrderShipped("o_1", 2, DateTimeOffset.UnixEpoch, null))
            .AddEventType<OrderShipped>("order.delivered", "An order arrived", new OrderShipped("o_1", 2, DateTimeOffset.UnixEpoch, "ups"))
            .AddInMemoryStore();
        using var provider = services.BuildServiceProvider();
        var catalog = provider.GetRequiredService<IWebhookEventTypes>();

        Assert.Null(catalog.Find("order.shipped")!.Schema);
        var schema = catalog.Find("order.delivered")!.Schema!.Value;
        Assert.Equal(typeof(OrderShipped), catalog.Find("order.delivered")!.PayloadType);

        // camelCase and numbers as numbers, as the data is written; the nullable property may be null.
        var properties = schema.GetProperty("properties");
        Assert.Equal(["orderId", "items", "shippedAt", "carrier"], properties.EnumerateObject().Select(p => p.Name));
        Assert.Equal("integer", properties.GetProperty("items").GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Array, properties.GetProperty("carrier").GetProperty("type").ValueKind);
        Assert.Contains("orderId", schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public void The_generic_registration_refuses_what_the_plain_one_refuses()
    {
        var builder = new ServiceCollection().AddWebhooks().AddEventType<OrderShipped>("order.delivered", "An order arrived", new OrderShipped("o", 1, default, null));

        var error = Assert.Throws<ArgumentException>(() => builder.AddEventType<OrderShipped>("order.delivered", "Again", new OrderShipped("o", 1, default, null)));

        Assert.Contains("already registered", error.Message, StringComparison.Ordinal);
    }
}
