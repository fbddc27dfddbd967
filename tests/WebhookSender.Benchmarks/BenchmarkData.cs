using System.Text.Json;

namespace WebhookSender.Benchmarks;

/// <summary>Representative event data and messages shared by the suites.</summary>
internal static class BenchmarkData
{
    public const string EventType = "order.updated";

    /// <summary>An order whose envelope (<c>json</c> format) is close to 1 KiB: the size the targets are stated for.</summary>
    public static object Order(int id) => new
    {
        orderId = id,
        status = "paid",
        currency = "EUR",
        total = 1234.50m,
        customer = new { id = "cus_8f2a91", name = "Ada Lovelace", email = "ada@example.com", country = "GB" },
        lines = Enumerable.Range(1, 6).Select(i => new { sku = $"SKU-{i:D5}", name = $"Widget number {i}, blue", quantity = i, price = 10.25m * i }).ToArray(),
        shipping = new { method = "express", address = "12 Analytical Engine Street, London", postcode = "NW1 6XE" },
        note = "Leave at the door. Caf\u00e9 \u2713",
    };

    public static WebhookMessage Message(JsonSerializerOptions? options = null)
    {
        options ??= new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        return new WebhookMessage
        {
            Id = "msg_0193a8f1c2d47e9a8b6c5d4e3f2a1b0c",
            EventType = EventType,
            Timestamp = now,
            CreatedAt = now,
            Data = JsonSerializer.SerializeToElement(Order(1042), options),
            Context = JsonSerializer.SerializeToElement(new Dictionary<string, object?> { ["organization"] = "org_42", ["project"] = "shop" }, options),
        };
    }

    public static WebhookSubscription Subscription(string id, string? tenantId, IReadOnlyList<string> eventTypes, int secrets = 1)
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        return new WebhookSubscription
        {
            Id = id,
            TenantId = tenantId,
            Url = new Uri("https://receiver.example/hooks/" + id),
            EventTypes = eventTypes,
            Secrets = [.. Enumerable.Range(0, secrets).Select(_ => new WebhookSecret { Value = WebhookSecret.Generate(), CreatedAt = now })],
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
