using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WebhookSender.EntityFrameworkCore.Tests.Contract;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.StoreContract;

namespace WebhookSender.EntityFrameworkCore.Tests.Queue;

/// <summary>
/// PostgreSQL: ending leases finds each queue row and each delivery by its key, however the tables have changed since the
/// connection first ran the statement. Its generic plan, made once while the queue was small, used to hash a scan of the
/// whole queue table into every lease end; under load the queue table fills with dead rows between vacuums, and that
/// plan read 690 to 1,250 pages per lease end (the load test, docs/benchmarks.md). The lease end now runs with the
/// planner's scans and joins other than key lookups turned off.
/// </summary>
public sealed class LeaseEndPlanTests
{
    [Fact]
    public async Task Ending_leases_scans_neither_table_after_they_have_grown_on_the_same_connection()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        var single = database.With(c => c.MaxPoolSize = 1); // one physical connection: the one that ran the statement before
        await using (var store = ContractStores.Build(single, new FakeTimeProvider(ContractData.Start), ownsDatabase: false))
        {
            // More than the five runs after which PostgreSQL keeps a prepared statement's generic plan.
            for (int i = 0; i < 10; i++)
            {
                await PreparedStatementTests.PublishLeaseAndEndAsync(store, $"{i}");
            }
        }

        await using (var connection = new NpgsqlConnection(single.ConnectionString))
        {
            await connection.OpenAsync();

            // The tables grow (not yet analyzed, as between autovacuum's runs): rows that are not due, and deliveries.
            await ExecuteAsync(connection,
                "INSERT INTO webhook_queue (delivery_id, available_at) SELECT 'dlv_later_' || g, 9000000000000000000 FROM generate_series(1, 20000) AS g; " +
                "INSERT INTO webhook_deliveries (id, message_id, subscription_id, event_type, trigger, status, attempt_count, due_at, created_at) " +
                "SELECT 'dlv_bulk_' || g, 'msg_1', 'sub_a', 'order.created', 0, 2, 1, 0, g FROM generate_series(1, 20000) AS g");
        }

        var before = await SequentialScansAsync(single);
        await using (var store = ContractStores.Build(single, new FakeTimeProvider(ContractData.Start), ownsDatabase: false))
        {
            await PreparedStatementTests.PublishLeaseAndEndAsync(store, "last");
        }

        Assert.Equal(before, await SequentialScansAsync(single));
    }

    /// <summary>Sequential scans of the queue and deliveries tables so far, this connection's own included.</summary>
    private static async Task<(long Queue, long Deliveries)> SequentialScansAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();

        // A backend publishes its statistics when idle, at most once a second, unless told to at the next chance.
        await ExecuteAsync(connection, "SELECT pg_stat_force_next_flush()");
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'webhook_queue'), " +
            "(SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'webhook_deliveries')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
