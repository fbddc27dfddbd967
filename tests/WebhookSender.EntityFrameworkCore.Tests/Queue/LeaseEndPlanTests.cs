using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WebhookSender.EntityFrameworkCore.Tests.Contract;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.StoreContract;

namespace WebhookSender.EntityFrameworkCore.Tests.Queue;

/// <summary>
/// PostgreSQL: ending leases finds each delivery by its key in the plan PostgreSQL keeps for the prepared statement. That
/// generic plan is made once, without the parameters' values; an earlier form of the statement got a plan that scanned
/// and hashed the whole deliveries table for every lease end while it held fewer than about 25,000 rows.
/// </summary>
public sealed class LeaseEndPlanTests
{
    [Fact]
    public async Task The_generic_plan_of_ending_leases_looks_deliveries_up_by_key_in_a_table_of_thousands()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        var single = database.With(c => c.MaxPoolSize = 1);
        await using (var store = ContractStores.Build(single, new FakeTimeProvider(ContractData.Start), ownsDatabase: false))
        {
            await PreparedStatementTests.PublishLeaseAndEndAsync(store, "1");
        }

        await using var connection = new NpgsqlConnection(single.ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection,
            "INSERT INTO webhook_deliveries (id, message_id, subscription_id, event_type, trigger, status, attempt_count, due_at, created_at) " +
            "SELECT 'dlv_bulk_' || g, 'msg_1', 'sub_a', 'order.created', 0, 2, 1, 0, g FROM generate_series(1, 3000) AS g; ANALYZE");

        // The store's own statement, as prepared on its connection, planned the way a cached plan is.
        string statement = "";
        string[] types = [];
        await using (var command = new NpgsqlCommand("SELECT statement, parameter_types::text[] FROM pg_prepared_statements WHERE statement LIKE 'WITH v AS%'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync(), "The lease-end statement was not prepared.");
            statement = reader.GetString(0);
            types = reader.GetFieldValue<string[]>(1);
        }

        await ExecuteAsync(connection, $"SET plan_cache_mode = force_generic_plan; PREPARE probe({string.Join(", ", types)}) AS {statement}");
        var plan = new List<string>();
        await using (var command = new NpgsqlCommand($"EXPLAIN EXECUTE probe({string.Join(", ", types.Select(_ => "NULL"))})", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        string text = string.Join("\n", plan);
        Assert.DoesNotContain("Seq Scan on webhook_deliveries", text, StringComparison.Ordinal);
        Assert.Contains("Index Scan using \"PK_webhook_deliveries\"", text, StringComparison.Ordinal);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
