using Npgsql;

namespace WebhookSender.LoadTest;

/// <summary>
/// Where PostgreSQL's write-ahead log stands, in bytes (<c>pg_current_wal_lsn</c>): the difference of two readings is
/// the WAL the server wrote meanwhile, for every database on it. What a replica, an archive or a slow disk must carry.
/// </summary>
internal readonly record struct WalPosition(long Bytes)
{
    public static async Task<WalPosition> TakeAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint", db);
        return new WalPosition((long)(await command.ExecuteScalarAsync())!);
    }

    public double PerDelivery(WalPosition before, int deliveries) => (double)(Bytes - before.Bytes) / deliveries;
}
