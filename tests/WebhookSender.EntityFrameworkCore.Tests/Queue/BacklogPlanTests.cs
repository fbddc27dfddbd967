using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WebhookSender.EntityFrameworkCore.Tests.Contract;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.StoreContract;

namespace WebhookSender.EntityFrameworkCore.Tests.Queue;

/// <summary>
/// PostgreSQL: counting the backlog reads the queue table (a row per pending delivery) and, for a tenant, looks each
/// pending delivery up by its primary key; it never scans the deliveries table, which keeps the whole history. As a
/// join or EXISTS the planner hashed a scan of the history into the count.
/// </summary>
public sealed class BacklogPlanTests
{
    private const int History = 200_000;
    private const int Pending = 5_000;
    private const int Tenants = 50;

    [Fact]
    public async Task Counting_a_tenants_backlog_looks_deliveries_up_by_key_and_never_scans_the_history()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        long now = ContractData.Start.UtcTicks;
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();

            // Finished deliveries (the history) and pending ones with their queue rows: every seventh leased until after
            // now, the first half due, the rest due later. Analyzed, so the planner knows the sizes.
            await using var command = new NpgsqlCommand(
                "INSERT INTO webhook_deliveries (id, message_id, subscription_id, tenant_id, event_type, trigger, status, attempt_count, due_at, created_at) " +
                $"SELECT 'dlv_' || g, 'msg_1', 'sub_a', 't' || (g % {Tenants}), 'order.created', 0, CASE WHEN g <= {History} THEN 2 ELSE 0 END, 1, 0, g " +
                $"FROM generate_series(1, {History + Pending}) AS g; " +
                "INSERT INTO webhook_queue (delivery_id, available_at, lease_id) " +
                $"SELECT 'dlv_' || g, CASE WHEN g % 7 = 0 THEN {now} + 1000 WHEN g <= {History + (Pending / 2)} THEN {now} - g ELSE {now} + g END, " +
                "CASE WHEN g % 7 = 0 THEN 'lease' END " +
                $"FROM generate_series({History + 1}, {History + Pending}) AS g; ANALYZE;",
                connection);
            await command.ExecuteNonQueryAsync();
        }

        // The plan of the very statement the store runs, with its parameters.
        string plan;
        await using (var context = database.NewContext())
        {
            await using var command = BacklogQuery.Build(context, "t7", now).CreateDbCommand();
            command.CommandText = "EXPLAIN " + command.CommandText;
            await context.Database.OpenConnectionAsync();
            await using var reader = await command.ExecuteReaderAsync();
            var lines = new List<string>();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }

            plan = string.Join("\n", lines);
        }

        Assert.Contains("Index Scan using \"PK_webhook_deliveries\" on webhook_deliveries", plan);
        Assert.DoesNotContain("Seq Scan on webhook_deliveries", plan);

        WebhookBacklog tenant, all;
        await using (var store = ContractStores.Build(database, new FakeTimeProvider(ContractData.Start), ownsDatabase: false))
        {
            tenant = await store.Store.GetBacklogAsync("t7", CancellationToken.None);
            all = await store.Store.GetBacklogAsync(null, CancellationToken.None);
        }

        var pending = Enumerable.Range(History + 1, Pending).ToList();
        var ofTenant = pending.Where(g => g % Tenants == 7).ToList();
        Assert.Equal(Expected(ofTenant), (tenant.Due, tenant.InFlight, tenant.Waiting));
        Assert.Equal(Expected(pending), (all.Due, all.InFlight, all.Waiting));
        Assert.Equal(ContractData.Start.AddTicks(-ofTenant.Where(g => g % 7 != 0 && g <= History + (Pending / 2)).Max()), tenant.OldestDueAt);
    }

    private static (int Due, int InFlight, int Waiting) Expected(List<int> rows) => (
        rows.Count(g => g % 7 != 0 && g <= History + (Pending / 2)),
        rows.Count(g => g % 7 == 0),
        rows.Count(g => g % 7 != 0 && g > History + (Pending / 2)));
}
