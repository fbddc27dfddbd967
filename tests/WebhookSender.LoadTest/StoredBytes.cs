using System.Globalization;
using System.Text;
using Npgsql;

namespace WebhookSender.LoadTest;

/// <summary>
/// What the webhook tables take on disk in a PostgreSQL database, table by table: heap, indexes and TOAST together
/// (<c>pg_total_relation_size</c>). The difference of two readings over a run is what the run left stored.
/// </summary>
internal sealed record StoredBytes(IReadOnlyDictionary<string, long> Tables)
{
    public long Total => Tables.Values.Sum();

    public static async Task<StoredBytes> TakeAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE c.relkind = 'r' AND c.relname LIKE 'webhook%' AND n.nspname = current_schema() ORDER BY c.relname", db);
        var tables = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables[reader.GetString(0)] = reader.GetInt64(1);
        }

        return new StoredBytes(tables);
    }

    /// <summary>Bytes per delivery since <paramref name="before"/>, in all and by table (tables that grew).</summary>
    public string Describe(StoredBytes before, int deliveries)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"stored {PerDelivery(before, deliveries),7:F0} B/delivery ("));
        text.AppendJoin(", ", Tables
            .Select(t => (t.Key, Grown: t.Value - before.Tables.GetValueOrDefault(t.Key)))
            .Where(t => t.Grown != 0)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {(double)t.Grown / deliveries:F0}")));
        return text.Append(')').ToString();
    }

    public double PerDelivery(StoredBytes before, int deliveries) => (double)(Total - before.Total) / deliveries;
}
