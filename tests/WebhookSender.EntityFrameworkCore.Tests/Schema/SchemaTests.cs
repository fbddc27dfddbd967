using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using static WebhookSender.StoreContract.ContractData;

namespace WebhookSender.EntityFrameworkCore.Tests.Schema;

/// <summary>The tables a host's migration gets, and the indexes that keep leasing and matching off full scans.</summary>
public sealed class SchemaTests
{
    [Fact]
    public async Task Tables_are_prefixed_and_the_queue_and_matching_are_indexed()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var context = database.NewContext();
        var tables = context.Model.GetEntityTypes().Select(e => e.GetTableName()).Where(t => t != "orders").Order().ToList();

        Assert.Equal(["webhook_attempts", "webhook_deliveries", "webhook_instances", "webhook_limits", "webhook_messages", "webhook_queue", "webhook_subscription_event_types", "webhook_subscriptions"], tables);
        Assert.Contains(Indexes(context, typeof(QueueRow)), columns => columns == "available_at,delivery_id");
        Assert.Contains(Indexes(context, typeof(QueueRow)), columns => columns == "order_key,ordered_at,delivery_id");
        Assert.Contains(Indexes(context, typeof(SubscriptionEventTypeRow)), columns => columns == "tenant_id,event_type,subscription_id");

        // The migration a host generates creates them.
        string script = context.Database.GenerateCreateScript();
        Assert.Contains("CREATE INDEX \"ix_webhook_queue_available_at\"", script, StringComparison.Ordinal);
        Assert.Contains("CREATE UNIQUE INDEX \"ux_webhook_messages_idempotency\"", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Text_columns_compare_bytes_on_PostgreSQL_and_keep_SQLites_own_byte_order(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var context = database.NewContext();
        var id = context.GetService<IDesignTimeModel>().Model.FindEntityType(typeof(DeliveryRow))!.FindProperty(nameof(DeliveryRow.Id))!;
        string script = context.Database.GenerateCreateScript();

        if (database.IsPostgres)
        {
            Assert.Equal("C", id.GetCollation());
            Assert.Contains("id text COLLATE \"C\" NOT NULL", script, StringComparison.Ordinal);

            // Ordinal order, as the library's cursors expect: '_' (0x5F) sorts after digits and capitals, before lowercase.
            var order = await context.Database.SqlQueryRaw<string>(
                "SELECT id AS \"Value\" FROM (VALUES ('dlv_b'), ('dlv_A'), ('dlv0'), ('dlv_a')) AS v(id) ORDER BY id COLLATE \"C\"").ToListAsync();
            Assert.Equal(["dlv0", "dlv_A", "dlv_a", "dlv_b"], order);
        }
        else
        {
            Assert.Null(id.GetCollation());
            Assert.DoesNotContain("COLLATE", script, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Matching_one_event_among_10000_subscriptions_uses_the_index(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var context = database.NewContext())
        {
            var documents = new SubscriptionDocuments();
            for (int i = 0; i < 10_000; i++)
            {
                var subscription = Subscription($"sub_{i:D5}", "t1", [$"type.{i}"]);
                context.Add(documents.ToRow(subscription));
                context.AddRange(RowMapping.EventTypeRows(subscription));
            }

            await context.SaveChangesAsync();
            if (database.IsPostgres)
            {
                await context.Database.ExecuteSqlRawAsync("ANALYZE");
            }
        }

        var store = ContractStoresFor(database);
        await using var owner = store;
        var found = await store.Store.FindSubscriptionsAsync("type.4242", "t1", CancellationToken.None);
        Assert.Equal(["sub_04242"], found.Select(s => s.Id));

        // The plan of the matching query: an index search, never a scan of every subscription.
        await using var check = database.NewContext();
        string key = "t1";
        string type = "type.4242";
        var matching = check.Set<SubscriptionEventTypeRow>().Where(e => e.TenantKey == key && (e.EventType == type || e.EventType == "*")).Select(e => e.SubscriptionId);
        string sql = check.Set<SubscriptionRow>().Where(s => matching.Contains(s.Id) && s.IsActive).OrderBy(s => s.Id).ToQueryString();
        string plan = await ExplainAsync(check, database, sql);
        Assert.Contains("ix_webhook_subscription_event_types_match", plan, StringComparison.Ordinal);
        Assert.DoesNotContain(database.IsPostgres ? "Seq Scan on webhook_subscriptions" : "SCAN webhook_subscriptions", plan, StringComparison.Ordinal);
    }

    private static Contract.ContractStoresHandle ContractStoresFor(TestDatabase database) => new(Contract.ContractStores.Build(database, TimeProvider.System, ownsDatabase: false));

    private static async Task<string> ExplainAsync(DbContext context, TestDatabase database, string sql)
    {
        // ToQueryString declares the parameters first; keep them for PostgreSQL (as literals) and SQLite (.param lines are not SQL).
        var lines = sql.Split('\n');
        var parameters = lines.TakeWhile(l => !l.StartsWith("SELECT", StringComparison.Ordinal)).ToList();
        string query = string.Join('\n', lines.Skip(parameters.Count));
        foreach (var parameter in parameters.Where(p => p.Contains('=', StringComparison.Ordinal)))
        {
            // "-- @key='t1'" (SQLite) or "-- @key='t1' (DbType = String)" (PostgreSQL)
            var text = parameter.TrimStart('-', ' ');
            string name = text[..text.IndexOf('=', StringComparison.Ordinal)].Trim();
            string value = text[(text.IndexOf('=', StringComparison.Ordinal) + 1)..].Split(" (", 2)[0].Trim();
            query = query.Replace(name, value, StringComparison.Ordinal);
        }

        await using var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = (database.IsPostgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + query;
        await using var reader = await command.ExecuteReaderAsync();
        var plan = new List<string>();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetValue(reader.FieldCount - 1)?.ToString() ?? string.Empty);
        }

        return string.Join('\n', plan);
    }

    private static IEnumerable<string> Indexes(DbContext context, Type entity)
    {
        var type = context.Model.FindEntityType(entity)!;
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        return type.GetIndexes().Select(i => string.Join(',', i.Properties.Select(p => p.GetColumnName(table))));
    }
}
