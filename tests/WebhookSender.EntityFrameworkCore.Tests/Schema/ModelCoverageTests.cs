using System.Reflection;

namespace WebhookSender.EntityFrameworkCore.Tests.Schema;

/// <summary>
/// Messages, deliveries and attempts are stored column by column (subscriptions whole, as JSON): when the core adds a
/// property to one of these records, this test fails until RowMapping stores it and the contract round trip sets it.
/// </summary>
public sealed class ModelCoverageTests
{
    [Theory]
    [InlineData(typeof(WebhookMessage), "Attributes,Context,CreatedAt,Data,EventType,Id,IdempotencyKey,TenantId,Timestamp,TraceParent")]
    [InlineData(typeof(WebhookDelivery), "AttemptCount,BatchKey,CompletedAt,CreatedAt,DueAt,EventType,HoldReason,Id,IsCompleted,IsQueued,LastAttemptAt,LastStatusCode,MessageId,OrderKey,Status,SubscriptionId,TenantId,Trigger")]
    [InlineData(typeof(DeliveryAttempt), "AttemptNumber,DeliveryId,Duration,Error,EventType,Id,MessageId,Request,Response,StartedAt,SubscriptionId,Succeeded,TenantId,Trigger,Warnings")]
    [InlineData(typeof(AttemptRequest), "Body,BodyTruncated,Headers,Method,Url")]
    [InlineData(typeof(AttemptResponse), "Body,BodyTruncated,Headers,StatusCode")]
    public void Every_property_of_the_column_mapped_records_is_known(Type record, string mapped)
    {
        var properties = record.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order(StringComparer.Ordinal);

        Assert.True(
            string.Join(',', properties) == mapped,
            $"{record.Name} has the properties {string.Join(',', properties)}; the EF Core store maps {mapped}. Store the new property in " +
            "RowMapping (a column, or the JSON of request/response), set it in the store contract's round-trip test, then list it here.");
    }
}
