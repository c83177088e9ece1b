using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Respawn;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// Databases with the schema of one EF model on the test server, each lent to one replica at a time. A database is
/// created (EnsureCreated, Liblim's shadow tables included) when none is free, and emptied with Respawn when it is
/// given back, so that tests run in parallel on databases of their own and a replica always starts empty, with no
/// node id, clock or peers yet.
/// </summary>
public sealed class PostgresDatabasePool<TContext>(Func<string, TContext> open)
    where TContext : DbContext
{
    private readonly ConcurrentBag<string> _free = [];
    private readonly SemaphoreSlim _respawnerReady = new(1, 1);
    private Respawner? _respawner;

    /// <summary>The connection string of an empty database, the caller's until <see cref="Return"/>.</summary>
    public string Rent()
    {
        if (_free.TryTake(out var connectionString))
        {
            return connectionString;
        }

        connectionString = PostgresServer.Instance.CreateDatabase();
        using var db = open(connectionString);
        db.Database.EnsureCreated();
        return connectionString;
    }

    /// <summary>Empties a database and makes it available again; one that cannot be emptied is not lent again.</summary>
    public void Return(string connectionString)
    {
        try
        {
            // Off the test's synchronization context: Respawn has no synchronous API.
            Task.Run(() => ResetAsync(connectionString)).GetAwaiter().GetResult();
            _free.Add(connectionString);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Left as it is (a test may still hold it); it goes with the server at the end of the run.
        }
    }

    private async Task ResetAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        if (_respawner is null)
        {
            await _respawnerReady.WaitAsync();
            try
            {
                _respawner ??= await Respawner.CreateAsync(connection, new RespawnerOptions
                {
                    DbAdapter = DbAdapter.Postgres,
                    SchemasToInclude = ["public"],
                    CommandTimeout = 30,
                });
            }
            finally
            {
                _respawnerReady.Release();
            }
        }

        await _respawner.ResetAsync(connection);

        // Liblim's feed sequence, which Respawn leaves: each test's positions start at 1, as on a new database.
        await using var restart = new NpgsqlCommand("ALTER SEQUENCE IF EXISTS __liblim_positions RESTART", connection);
        await restart.ExecuteNonQueryAsync();
    }
}
