using System.Text.Json.Nodes;
using Json.Schema;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>The OpenAPI document names every operation with its summary, body and responses; the catalog's examples fit their schemas.</summary>
public sealed class OpenApiTests
{
    private static readonly (string Method, string Path, string OperationId, string[] Responses, bool Body)[] Operations =
    [
        ("get", "/event-types", "ListWebhookEventTypes", ["200"], false),
        ("get", "/event-types/{name}", "GetWebhookEventType", ["200", "404"], false),
        ("get", "", "ListWebhookSubscriptions", ["200", "400"], false),
        ("post", "", "CreateWebhookSubscription", ["201", "400"], true),
        ("get", "/{id}", "GetWebhookSubscription", ["200", "404"], false),
        ("put", "/{id}", "ReplaceWebhookSubscription", ["200", "400", "404"], true),
        ("patch", "/{id}", "UpdateWebhookSubscription", ["200", "400", "404"], true),
        ("delete", "/{id}", "DeleteWebhookSubscription", ["204", "404"], false),
        ("post", "/{id}/enable", "EnableWebhookSubscription", ["200", "404"], false),
        ("post", "/{id}/disable", "DisableWebhookSubscription", ["200", "404"], true),
        ("get", "/{id}/secret", "GetWebhookSubscriptionSecret", ["200", "404"], false),
        ("post", "/{id}/rotate-secret", "RotateWebhookSubscriptionSecret", ["200", "400", "404"], true),
        ("post", "/{id}/rotate-signing-key", "RotateWebhookSubscriptionSigningKey", ["200", "400", "404"], true),
        ("post", "/{id}/ping", "PingWebhookSubscription", ["202", "404"], false),
        ("post", "/{id}/test", "TestWebhookSubscription", ["200", "404"], false),
        ("get", "/{id}/deliveries", "ListWebhookDeliveries", ["200", "400", "404"], false),
        ("get", "/{id}/attempts", "ListWebhookAttempts", ["200", "400", "404"], false),
        ("get", "/{id}/attempts/{attemptId}", "GetWebhookAttempt", ["200", "404"], false),
        ("post", "/{id}/messages/{messageId}/redeliver", "RedeliverWebhookMessage", ["202", "404"], false),
        ("post", "/{id}/recover", "RecoverWebhookDeliveries", ["202", "400", "404"], true),
        ("get", "/{id}/updates", "ReadWebhookUpdates", ["200", "400", "404"], false),
        ("get", "/{id}/updates/backlog", "GetWebhookUpdateBacklog", ["200", "404"], false),
    ];

    [Fact]
    public async Task The_document_has_every_operation_with_its_summary_body_responses_and_schemas()
    {
        await using var host = await ApiHost.StartAsync();

        var document = JsonNode.Parse(await host.Client.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();

        Assert.Equal(Operations.Length, paths.Sum(p => p.Value!.AsObject().Count(o => o.Key is "get" or "post" or "put" or "patch" or "delete")));
        foreach (var (method, path, operationId, responses, body) in Operations)
        {
            string full = "/api/workspaces/{workspaceId}/webhooks" + path;
            var operation = paths[full]?[method];
            Assert.True(operation is not null, $"{method} {full} is missing from the document");
            Assert.Equal(operationId, (string?)operation["operationId"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{operationId} has no summary");
            var parameters = operation["parameters"]!.AsArray();
            Assert.Contains(parameters, p => (string?)p!["name"] == "workspaceId" && (string?)p["in"] == "path" && (bool?)p["required"] == true);
            foreach (string routeParameter in System.Text.RegularExpressions.Regex.Matches(path, "{([a-zA-Z]+)}").Select(m => m.Groups[1].Value))
            {
                Assert.Contains(parameters, p => (string?)p!["name"] == routeParameter && (string?)p["in"] == "path");
            }

            if (operationId.StartsWith("List", StringComparison.Ordinal) && operationId != "ListWebhookEventTypes")
            {
                Assert.Contains(parameters, p => (string?)p!["name"] == "limit" && (string?)p["in"] == "query");
                Assert.Contains(parameters, p => (string?)p!["name"] == "cursor" && (string?)p["in"] == "query");
            }
            foreach (string status in responses)
            {
                Assert.True(operation["responses"]?[status] is not null, $"{operationId} does not document {status}");
            }

            Assert.Equal(body, operation["requestBody"] is not null);
            string success = responses[0];
            if (success != "204")
            {
                var schema = operation["responses"]![success]!["content"]!["application/json"]!["schema"];
                Assert.True(schema is not null, $"{operationId} {success} has no schema");
            }
        }

        var schemas = document["components"]!["schemas"]!.AsObject();
        foreach (string name in new[] { "SubscriptionInput", "SubscriptionResource", "CreatedSubscriptionResource", "TestReportResource", "AttemptResource", "DeliveryResource", "EventTypeResource" })
        {
            Assert.True(schemas.ContainsKey(name), $"the document has no schema {name}");
        }

        Assert.True(schemas["SubscriptionInput"]!["properties"]!.AsObject().ContainsKey("eventTypes"));
        Assert.True(schemas["TestReportResource"]!["properties"]!.AsObject().ContainsKey("testsSucceeded"));
    }

    [Fact]
    public async Task Every_catalogued_example_validates_against_its_schema()
    {
        await using var host = await ApiHost.StartAsync();

        var types = JsonNode.Parse(await host.Client.GetStringAsync(ApiHost.Path("acme", "/event-types")))!["items"]!.AsArray();

        Assert.Equal(["order.created", "order.shipped"], types.Select(t => (string)t!["name"]!));
        foreach (var type in types)
        {
            var schema = JsonSchema.FromText(type!["schema"]!.ToJsonString());
            var result = schema.Evaluate(Element(type["example"]!), new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"{type["name"]}: the example does not fit its schema: {System.Text.Json.JsonSerializer.Serialize(result)}");

            // The schema says something: a payload missing a required field, or with a wrong type, fails it.
            var broken = type["example"]!.DeepClone().AsObject();
            broken.Remove("orderId");
            Assert.False(schema.Evaluate(Element(broken)).IsValid, $"{type["name"]}: the schema accepts a payload without orderId");
        }
    }

    private static System.Text.Json.JsonElement Element(JsonNode node) => System.Text.Json.JsonDocument.Parse(node.ToJsonString()).RootElement;
}
