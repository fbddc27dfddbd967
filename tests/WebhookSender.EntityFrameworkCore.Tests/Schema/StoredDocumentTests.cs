using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.EntityFrameworkCore.Tests.Contract;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using static WebhookSender.StoreContract.ContractData;

namespace WebhookSender.EntityFrameworkCore.Tests.Schema;

/// <summary>The JSON documents the store keeps in text columns: escaped only as JSON requires, and read back unchanged.</summary>
public sealed class StoredDocumentTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_attempts_request_is_stored_with_plain_quotes_and_reads_back_unchanged(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var store = ContractStores.Build(database, new FakeTimeProvider(Start), ownsDatabase: false);
        const string body = """{"note":"<b>fish & chips</b>","sum":"1+1","path":"a\\b","line":"x\ny","é":"ü"}""";
        var headers = new Dictionary<string, string> { ["webhook-signature"] = "v1,K5oZ+zN95Z9U/Vu1Es=" };
        var attempt = Attempt(Guid.NewGuid(), Start) with { Request = new AttemptRequest("POST", "https://receiver.example/hooks?a=1&b=2", headers, body) };

        await store.Store.AddAttemptAsync(attempt, CancellationToken.None);

        await using var context = database.NewContext();
        string stored = await context.Database.SqlQueryRaw<string>("SELECT request AS \"Value\" FROM webhook_attempts").SingleAsync();
        Assert.Contains(""" {\"note\":\"<b>fish & chips</b>\",\"sum\":\"1+1\" """.Trim(), stored, StringComparison.Ordinal);
        Assert.Contains("v1,K5oZ+zN95Z9U/Vu1Es=", stored, StringComparison.Ordinal);
        Assert.Contains("?a=1&b=2", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", stored, StringComparison.Ordinal);
        var read = (await store.Store.ListAttemptsAsync(new AttemptQuery(), CancellationToken.None)).Items.Single();
        Assert.Equal(body, read.Request.Body);
        Assert.Equal(attempt.Request.Url, read.Request.Url);
        Assert.Equal("v1,K5oZ+zN95Z9U/Vu1Es=", read.Request.Headers["webhook-signature"]);
    }
}
