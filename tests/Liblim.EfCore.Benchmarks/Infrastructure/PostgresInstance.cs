using System.Globalization;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Npgsql;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// The PostgreSQL server of a benchmark run: the server of <c>LIBLIM_BENCH_PG</c> when set, else the functional
/// tests' throwaway <see cref="PostgresCluster"/> (the same file, linked into this project), stopped and deleted
/// when the process exits. scripts/ensure-postgres.sh installs the binaries.
/// </summary>
public sealed class PostgresInstance
{
    public const string ConnectionStringVariable = "LIBLIM_BENCH_PG";

    /// <summary>The throwaway cluster's settings, as in the functional tests: no fsync, asynchronous commit.</summary>
    public const string ClusterSettings = "fsync=off synchronous_commit=off full_page_writes=off";

    private const string FolderPrefix = "liblim-bench-pg-";

    private static readonly Lazy<(PostgresInstance? Instance, string? Error)> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _maintenance;
    private readonly List<string> _created = [];
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    private PostgresInstance(string maintenance, string description)
    {
        _maintenance = maintenance;
        Description = description;
    }

    /// <summary>What server this is, for the report.</summary>
    public string Description { get; }

    /// <summary>The shared instance, or null with the reason it could not be had.</summary>
    public static bool TryGet(out PostgresInstance? instance, out string? error)
    {
        (instance, error) = Shared.Value;
        return instance is not null;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string CreateDatabase()
    {
        lock (_created)
        {
            var name = $"liblim_bench_{_runId}_{(_created.Count + 1).ToString(CultureInfo.InvariantCulture)}";
            using var connection = new NpgsqlConnection(_maintenance);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            command.ExecuteNonQuery();
            _created.Add(name);
            return new NpgsqlConnectionStringBuilder(_maintenance) { Database = name }.ConnectionString;
        }
    }

    public static DbContextOptions<ReplicatedDb> ReplicatedOptions(string connectionString)
        => new DbContextOptionsBuilder<ReplicatedDb>().UseNpgsql(connectionString).UseLiblim().Options;

    public static DbContextOptions<PlainDb> PlainOptions(string connectionString)
        => new DbContextOptionsBuilder<PlainDb>().UseNpgsql(connectionString).Options;

    private static (PostgresInstance?, string?) Start()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var instance = new PostgresInstance(configured, $"the server of {ConnectionStringVariable}");
            AppDomain.CurrentDomain.ProcessExit += (_, _) => instance.DropCreated();
            return (instance, null);
        }

        try
        {
            var cluster = PostgresCluster.Start();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
            return (new PostgresInstance(cluster.ConnectionString, $"a throwaway cluster ({ClusterSettings})"), null);
        }
        catch (InvalidOperationException e)
        {
            return (null, e.Message);
        }
    }

    private void DropCreated()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            using var connection = new NpgsqlConnection(_maintenance);
            connection.Open();
            foreach (var name in _created)
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)";
                command.ExecuteNonQuery();
            }
        }
        catch (NpgsqlException)
        {
        }
    }
}
