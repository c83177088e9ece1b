using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// The PostgreSQL server of this test run, started on first use: the server of <c>LIBLIM_TEST_PG</c> (a connection
/// string whose user may create databases) when set, else a <see cref="PostgresCluster"/> of our own. If it cannot
/// be had, every PostgreSQL test fails with the reason; none is skipped. Tests get databases of their own from it;
/// at process exit they are dropped, or the whole cluster is stopped and deleted.
/// </summary>
public sealed class PostgresServer
{
    public const string ConnectionStringVariable = "LIBLIM_TEST_PG";

    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    // Database names say which machine and process made them, so that a later run can tell its own leftovers.
    private static readonly string HostTag = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Environment.MachineName)))[..8];
    private static readonly string Prefix = $"liblim_test_{HostTag}_{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}_";

    private readonly string _maintenance;
    private readonly PostgresCluster? _cluster;
    private readonly List<string> _created = [];
    private readonly Lock _lock = new();

    private PostgresServer(string maintenance, PostgresCluster? cluster)
    {
        _maintenance = maintenance;
        _cluster = cluster;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Shutdown();
    }

    public static PostgresServer Instance => Shared.Value;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string CreateDatabase()
    {
        string name;
        lock (_lock)
        {
            name = Prefix + (_created.Count + 1).ToString(CultureInfo.InvariantCulture);
            using var connection = new NpgsqlConnection(_maintenance);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            command.ExecuteNonQuery();
            _created.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(_maintenance) { Database = name }.ConnectionString;
    }

    /// <summary>A new database holding a copy of the given one (which must have no open connections), as a backup would.</summary>
    public string CopyDatabase(string source)
    {
        var name = DatabaseName(CreateDatabase());
        Maintain($"DROP DATABASE \"{name}\"; CREATE DATABASE \"{name}\" TEMPLATE \"{DatabaseName(source)}\"");
        return new NpgsqlConnectionStringBuilder(_maintenance) { Database = name }.ConnectionString;
    }

    /// <summary>Replaces a database with a copy of another, as restoring a backup would; connections to it are ended.</summary>
    public void ReplaceDatabase(string target, string source)
    {
        NpgsqlConnection.ClearAllPools();
        var name = DatabaseName(target);
        Maintain($"DROP DATABASE \"{name}\" WITH (FORCE); CREATE DATABASE \"{name}\" TEMPLATE \"{DatabaseName(source)}\"");
    }

    private static string DatabaseName(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    private void Maintain(string statements)
    {
        lock (_lock)
        {
            using var connection = new NpgsqlConnection(_maintenance);
            connection.Open();
            foreach (var statement in statements.Split("; "))
            {
                using var command = connection.CreateCommand();
                command.CommandText = statement;
                command.ExecuteNonQuery();
            }
        }
    }

    private static PostgresServer Start()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            try
            {
                using var connection = new NpgsqlConnection(configured);
                connection.Open();
            }
            catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidOperationException($"{ConnectionStringVariable} is set, but its PostgreSQL server cannot be used: {e.Message}", e);
            }

            DropLeftovers(configured);
            return new PostgresServer(configured, cluster: null);
        }

        var cluster = PostgresCluster.Start();
        try
        {
            return new PostgresServer(cluster.ConnectionString, cluster);
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Drops the databases that earlier test runs on this machine left on a server of the developer's: the test host
    /// is often ended before its exit handler has dropped them all.
    /// </summary>
    private static void DropLeftovers(string maintenance)
    {
        using var connection = new NpgsqlConnection(maintenance);
        connection.Open();
        var names = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = $"SELECT datname FROM pg_database WHERE datname LIKE 'liblim\\_test\\_{HostTag}\\_%'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names)
        {
            var pid = name.Split('_') is [_, _, _, var p, _] && int.TryParse(p, CultureInfo.InvariantCulture, out var n) ? n : 0;
            if (pid != 0 && pid != Environment.ProcessId && !IsRunning(pid))
            {
                using var drop = connection.CreateCommand();
                drop.CommandText = $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)";
                drop.ExecuteNonQuery();
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void Shutdown()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            _cluster.Dispose();
            return;
        }

        // A server of the developer's: remove what this run created, and nothing else.
        try
        {
            using var connection = new NpgsqlConnection(_maintenance);
            connection.Open();
            foreach (var name in _created)
            {
                using var command = connection.CreateCommand();
                command.CommandText = string.Create(CultureInfo.InvariantCulture, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                command.ExecuteNonQuery();
            }
        }
        catch (NpgsqlException)
        {
        }
    }
}
