using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WebhookSender.EntityFrameworkCore.Tests.Contract;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.StoreContract;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore.Tests.Queue;

/// <summary>PostgreSQL: the hot path's statements are prepared once per physical connection and reused.</summary>
public sealed class PreparedStatementTests
{
    [Fact]
    public async Task The_hot_statements_are_prepared_once_and_kept_on_the_pooled_connection()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();

        // One physical connection, so the check below sees the store's prepared statements.
        var single = database.With(c => c.MaxPoolSize = 1);
        await using (var store = ContractStores.Build(single, new FakeTimeProvider(ContractData.Start), ownsDatabase: false))
        {
            await PublishLeaseAndEndAsync(store, "1");
            await PublishLeaseAndEndAsync(store, "2");
        }

        await using var connection = new NpgsqlConnection(single.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT statement FROM pg_prepared_statements", connection);
        var statements = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                statements.Add(reader.GetString(0));
            }
        }

        foreach (string start in new[] { "INSERT INTO webhook_messages", "INSERT INTO webhook_deliveries", "INSERT INTO webhook_queue", "INSERT INTO webhook_attempts", "WITH v AS" })
        {
            // Exactly once: the second round found each statement prepared and reused it.
            Assert.Single(statements, s => s.StartsWith(start, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_multiplexed_connection_runs_the_statements_unprepared()
    {
        // Npgsql refuses explicit preparation with multiplexing; the store must still work there.
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var store = ContractStores.Build(database.With(c => c.Multiplexing = true), new FakeTimeProvider(ContractData.Start), ownsDatabase: false);
        await PublishLeaseAndEndAsync(store, "1");
        Assert.Equal(DeliveryStatus.Succeeded, (await store.Store.GetDeliveryAsync("dlv_1", CancellationToken.None))!.Status);
    }

    /// <summary>Publishes one delivery, leases it and ends the lease with an attempt: every hot statement runs once.</summary>
    internal static async Task PublishLeaseAndEndAsync(StoreUnderTest store, string id)
    {
        var none = CancellationToken.None;
        await store.Store.AddMessageAsync(ContractData.Message("msg_" + id), [ContractData.Delivery("dlv_" + id, "msg_" + id)], none);
        var lease = Assert.Single(await store.Queue.LeaseAsync(10, TimeSpan.FromMinutes(1), none));
        var attempt = ContractData.Attempt(Guid.CreateVersion7(), ContractData.Start, lease.Delivery.SubscriptionId) with
        {
            DeliveryId = lease.Delivery.Id,
            MessageId = lease.Delivery.MessageId,
        };
        Assert.Equal([true], await store.Queue.EndLeasesAsync([new LeaseEnd(lease, ContractData.Succeeded(lease.Delivery), attempt)], none));
    }
}
