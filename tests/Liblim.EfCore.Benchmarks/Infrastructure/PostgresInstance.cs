using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// The PostgreSQL server of a benchmark run, the way the functional tests get theirs
/// (tests/Liblim.EfCore.FunctionalTests/Infrastructure/PostgresCluster.cs; scripts/ensure-postgres.sh installs the
/// binaries): the server of <c>LIBLIM_BENCH_PG</c>
/// when set, else a throwaway cluster (initdb into a temp folder, pg_ctl start on a free loopback port; run as
/// the <c>postgres</c> OS user when this process is root), stopped and deleted when the process exits.
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
            return (Cluster.Start(), null);
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

    private static class Cluster
    {
        private static bool AsRoot => Environment.IsPrivilegedProcess;

        public static PostgresInstance Start()
        {
            var binaries = FindBinaries() ?? throw new InvalidOperationException(
                "no PostgreSQL server binaries (initdb, pg_ctl) found; install them (as root: bash scripts/ensure-postgres.sh) or set " + ConnectionStringVariable + ".");
            RemoveAbandoned(binaries);
            var folder = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
            File.WriteAllText(Path.Combine(folder, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            if (AsRoot)
            {
                Check(Run("chown", ["-R", "postgres:", folder], asPostgres: false, folder), "chown (is there a 'postgres' OS user?)");
            }

            var data = Path.Combine(folder, "data");
            Check(Run(Path.Combine(binaries, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], AsRoot, folder), "initdb");
            var port = FreePort();
            var settings = string.Join(' ', ClusterSettings.Split(' ').Select(s => "-c " + s));
            Check(Run(Path.Combine(binaries, "pg_ctl"),
                ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {folder} {settings}", "start"],
                AsRoot, folder), "pg_ctl start");
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                NpgsqlConnection.ClearAllPools();
                Run(Path.Combine(binaries, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], AsRoot, folder);
                TryDelete(folder);
            };
            var version = Run(Path.Combine(binaries, "pg_ctl"), ["--version"], asPostgres: false, folder).Output.Trim();
            return new PostgresInstance(
                $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres",
                $"a throwaway cluster ({version}; {ClusterSettings})");
        }

        private static string? FindBinaries()
        {
            var debian = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql")
                    .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0, Bin: Path.Combine(d, "bin")))
                    .Where(d => File.Exists(Path.Combine(d.Bin, "pg_ctl")) && File.Exists(Path.Combine(d.Bin, "initdb")))
                    .OrderByDescending(d => d.Version)
                    .Select(d => d.Bin)
                    .FirstOrDefault()
                : null;
            return debian ?? (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "initdb")));
        }

        /// <summary>Stops and deletes clusters of benchmark runs that were killed before they could clean up.</summary>
        private static void RemoveAbandoned(string binaries)
        {
            foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
            {
                var owner = Path.Combine(folder, "owner.pid");
                if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out var pid) && !IsRunning(pid))
                {
                    Run(Path.Combine(binaries, "pg_ctl"), ["-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "stop"], AsRoot, folder);
                    TryDelete(folder);
                }
            }
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static (int ExitCode, string Output) Run(string file, string[] arguments, bool asPostgres, string workingDirectory)
        {
            var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = workingDirectory,
            };
            string[] prefix = asPostgres ? ["-u", "postgres", "--", file] : [];
            foreach (var a in prefix.Concat(arguments))
            {
                start.ArgumentList.Add(a);
            }

            try
            {
                using var process = Process.Start(start)!;
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
                {
                    process.Kill(entireProcessTree: true);
                    return (-1, $"{file} did not finish within 2 minutes");
                }

                return (process.ExitCode, stdout.Result + stderr.Result);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return (-1, $"{start.FileName} could not be started: {e.Message}");
            }
        }

        private static void Check((int ExitCode, string Output) result, string what)
        {
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"starting a throwaway PostgreSQL cluster failed at {what} (exit code {result.ExitCode}): {result.Output}");
            }
        }

        private static void TryDelete(string folder)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
