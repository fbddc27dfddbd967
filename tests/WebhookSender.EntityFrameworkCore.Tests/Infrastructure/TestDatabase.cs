using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace WebhookSender.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A database with the host's tables and the webhook tables: a SQLite file, or a fresh PostgreSQL database.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "WEBHOOKSENDER_POSTGRES";

    private readonly string? _sqlitePath;
    private readonly string? _adminConnectionString;

    private TestDatabase(string provider, string connectionString, string? sqlitePath, string? adminConnectionString, string? databaseName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqlitePath = sqlitePath;
        _adminConnectionString = adminConnectionString;
        DatabaseName = databaseName;
    }

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public string Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The PostgreSQL database name.</summary>
    public string? DatabaseName { get; }

    public bool IsPostgres => Provider == "postgres";

    /// <summary>
    /// The PostgreSQL server's connection string: WEBHOOKSENDER_POSTGRES when set; otherwise, outside CI, a throwaway
    /// local server started for this run. In CI (CI=true) a missing variable fails loudly, never skips.
    /// </summary>
    public static string PostgresServer =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value
        : Environment.GetEnvironmentVariable("CI") is "true" or "1"
            ? throw new InvalidOperationException(
                $"The PostgreSQL tests need a server, and {PostgresVariable} is not set in CI. .ci/run starts one with " +
                "`source .ci/postgres.sh && start_postgres` (it exports the variable).")
            : LocalPostgres.ConnectionString;

    public static Task<TestDatabase> CreateAsync(string provider) => provider switch
    {
        "sqlite" => CreateSqliteAsync(),
        "postgres" => CreatePostgresAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "sqlite or postgres"),
    };

    public static async Task<TestDatabase> CreateSqliteAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), $"webhooksender-test-{Guid.NewGuid():N}.db");
        var database = new TestDatabase("sqlite", $"Data Source={path}", path, null, null);
        await database.CreateSchemaAsync();
        return database;
    }

    public static async Task<TestDatabase> CreatePostgresAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(PostgresServer);
        string name = $"webhooks_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name };
        var database = new TestDatabase("postgres", connection.ConnectionString, null, server.ConnectionString, name);
        await database.CreateSchemaAsync();
        return database;
    }

    /// <summary>PostgreSQL: the same database under a changed connection string (disposing it drops the database too).</summary>
    public TestDatabase With(Action<NpgsqlConnectionStringBuilder> change)
    {
        var connection = new NpgsqlConnectionStringBuilder(ConnectionString);
        change(connection);
        return new TestDatabase(Provider, connection.ConnectionString, _sqlitePath, _adminConnectionString, DatabaseName);
    }

    public void Configure(DbContextOptionsBuilder options)
    {
        if (IsPostgres)
        {
            options.UseNpgsql(ConnectionString);
        }
        else
        {
            options.UseSqlite(ConnectionString);
        }
    }

    public TestDbContext NewContext()
    {
        var options = new DbContextOptionsBuilder<TestDbContext>();
        Configure(options);
        return new TestDbContext(options.Options);
    }

    /// <summary>Empties every table (between tests that share the database).</summary>
    public async Task ClearAsync()
    {
        await using var context = NewContext();
        foreach (string table in new[] { "webhook_instances", "webhook_attempts", "webhook_bodies", "webhook_feed", "webhook_limits", "webhook_queue", "webhook_deliveries", "webhook_messages", "webhook_subscription_event_types", "webhook_subscriptions", "orders" })
        {
            string sql = "DELETE FROM " + table; // constant names
            await context.Database.ExecuteSqlRawAsync(sql);
        }
    }

    /// <summary>PostgreSQL: runs a statement as the server's admin (for outages: refusing and dropping connections).</summary>
    public async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>PostgreSQL: runs a query as the server's admin and returns its first value.</summary>
    public async Task<object?> AdminScalarAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        return await command.ExecuteScalarAsync();
    }

    private async Task CreateSchemaAsync()
    {
        await using var context = NewContext();
        await context.Database.EnsureCreatedAsync();
        if (!IsPostgres)
        {
            // Several connections (dispatcher, publisher, test) share the file: WAL lets readers run beside the writer.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlitePath is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (string file in new[] { _sqlitePath, _sqlitePath + "-wal", _sqlitePath + "-shm" })
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // Still open by a straggler; the temp folder is cleaned eventually.
                }
            }
        }

        if (_adminConnectionString is not null && DatabaseName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)");
        }
    }
}
