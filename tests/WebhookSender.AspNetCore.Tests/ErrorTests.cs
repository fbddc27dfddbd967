using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using WebhookSender.AspNetCore.Tests.Infrastructure;

namespace WebhookSender.AspNetCore.Tests;

/// <summary>Every bad request answers 400 problem details that name the field, and stores nothing.</summary>
public sealed class ErrorTests
{
    public static TheoryData<string, string> BadBodies => new()
    {
        { "{\"url\": ", "body" },
        { "[1,2]", "body" },
        { "{\"url\": 5}", "url" },
        { "{\"url\": \"http://127.0.0.1:9/x\", \"eventTypes\": \"order.created\"}", "eventTypes" },
        { "{\"url\": \"http://127.0.0.1:9/x\", \"isActive\": \"yes\"}", "isActive" },
        { "{\"url\": \"http://127.0.0.1:9/x\", \"evenTypes\": [\"order.created\"]}", "evenTypes" },
        { "{\"url\": \"http://127.0.0.1:9/x\", \"method\": \"DELETE\"}", "method" },
        { "{\"url\": \"http://127.0.0.1:9/x\", \"authentication\": {\"scheme\": \"kerberos\"}}", "authentication.scheme" },
        { "{\"url\": \"ftp://127.0.0.1/x\"}", "url" },
        { "{\"url\": \"http://127.0.0.1:9/x\", \"eventTypes\": [\"order.nope\"]}", "eventTypes" },
        { "{\"url\": \"http://127.0.0.1:9/x\", \"format\": \"yaml\"}", "format" },
        { "{\"url\": \"http://127.0.0.1:9/x\", \"retryScheduleSeconds\": [-5]}", "retryScheduleSeconds" },
        { "{\"headers\": {\"X-Route\": \"a\"}}", "headers" }, // no URL: a pull subscription, which sends no headers
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_subscription_answers_400_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        await using var host = await ApiHost.StartAsync();

        var response = await FlowTests.SendAsync(host, HttpMethod.Post, "", body);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"expected an error for '{field}', got: {problem.ToJsonString()}");
        Assert.All(errors, e => Assert.All(e.Value!.AsArray(), message => Assert.False(string.IsNullOrWhiteSpace((string?)message))));
        Assert.DoesNotContain("WebhookSender.", problem.ToJsonString(), StringComparison.Ordinal); // no CLR type names for a caller to puzzle over
        Assert.Empty((await host.Services.GetRequiredService<IWebhookSubscriptions>().ListAsync()).Items);
    }

    [Fact]
    public async Task An_oversized_body_answers_400_and_nothing_is_stored()
    {
        await using var host = await ApiHost.StartAsync(api: o => o.MaxRequestBodyBytes = 1024);
        string body = $$"""{"url":"{{host.Receiver.UrlFor("/x")}}","description":"{{new string('a', 2000)}}"}""";

        var response = await FlowTests.SendAsync(host, HttpMethod.Post, "", body);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("1024 bytes", (string)problem["errors"]!["body"]![0]!, StringComparison.Ordinal);
        Assert.Empty((await host.Services.GetRequiredService<IWebhookSubscriptions>().ListAsync()).Items);

        // Without a content-length (chunked), the limit holds too.
        var chunked = new HttpRequestMessage(HttpMethod.Post, ApiHost.Path("acme")) { Content = new PushContent(body) };
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.SendAsync(chunked)).StatusCode);
        Assert.Empty((await host.Services.GetRequiredService<IWebhookSubscriptions>().ListAsync()).Items);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?cursor=not-a-cursor!", "cursor")]
    [InlineData("?active=maybe", "active")]
    public async Task Bad_paging_and_filters_on_lists_answer_400_naming_the_parameter(string query, string field)
    {
        await using var host = await ApiHost.StartAsync();
        string id = await host.CreateIdAsync("acme");

        foreach (string path in new[] { ApiHost.Path("acme", query), ApiHost.Path("acme", $"/{id}/attempts{query}"), ApiHost.Path("acme", $"/{id}/deliveries{query}") })
        {
            if (field == "active" && path.Contains("/attempts", StringComparison.Ordinal) || field == "active" && path.Contains("/deliveries", StringComparison.Ordinal))
            {
                continue;
            }

            var problem = await AssertProblemAsync(await host.Client.GetAsync(path), HttpStatusCode.BadRequest);
            Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"{path}: {problem.ToJsonString()}");
        }
    }

    [Theory]
    [InlineData("/deliveries?status=lost", "status")]
    [InlineData("/attempts?status=queued", "status")]
    [InlineData("/attempts?since=yesterday", "since")]
    [InlineData("/deliveries?until=13/13/2026", "until")]
    public async Task Bad_log_filters_answer_400_naming_the_parameter(string rest, string field)
    {
        await using var host = await ApiHost.StartAsync();
        string id = await host.CreateIdAsync("acme");

        var problem = await AssertProblemAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}{rest}")), HttpStatusCode.BadRequest);

        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Fact]
    public async Task A_bad_patch_answers_400_and_leaves_the_subscription_as_it_was()
    {
        await using var host = await ApiHost.StartAsync();
        string id = await host.CreateIdAsync("acme");
        var before = await host.Client.GetStringAsync(ApiHost.Path("acme", $"/{id}"));

        var wrongType = await FlowTests.SendAsync(host, HttpMethod.Patch, $"/{id}", """{"eventTypes":"all"}""");
        var invalid = await FlowTests.SendAsync(host, HttpMethod.Patch, $"/{id}", """{"url":"not a url at all"}""");
        var notObject = await FlowTests.SendAsync(host, HttpMethod.Patch, $"/{id}", "[]");

        Assert.True((await AssertProblemAsync(wrongType, HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("eventTypes"));
        Assert.True((await AssertProblemAsync(invalid, HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("url"));
        await AssertProblemAsync(notObject, HttpStatusCode.BadRequest);
        Assert.Equal(before, await host.Client.GetStringAsync(ApiHost.Path("acme", $"/{id}")));
    }

    [Fact]
    public async Task Unknown_ids_answer_404_problems()
    {
        await using var host = await ApiHost.StartAsync();
        string id = await host.CreateIdAsync("acme");

        await AssertProblemAsync(await host.Client.GetAsync(ApiHost.Path("acme", "/sub_nope")), HttpStatusCode.NotFound);
        await AssertProblemAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/attempts/0123456789abcdef0123456789abcdef")), HttpStatusCode.NotFound);
        await AssertProblemAsync(await host.Client.GetAsync(ApiHost.Path("acme", $"/{id}/attempts/not-a-guid")), HttpStatusCode.NotFound);
        await AssertProblemAsync(await host.Client.PostAsync(ApiHost.Path("acme", $"/{id}/messages/msg_nope/redeliver"), null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await host.Client.GetAsync(ApiHost.Path("acme", "/event-types/order.nope")), HttpStatusCode.NotFound);
    }

    internal static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        return problem;
    }

    /// <summary>A body sent without a content-length, as a streaming client would.</summary>
    private sealed class PushContent(string text) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
