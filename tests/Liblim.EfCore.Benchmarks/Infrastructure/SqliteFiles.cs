using System.Data.Common;
using System.Globalization;
using Liblim.EfCore.Benchmarks.Model;
using Liblim.EfCore.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// One SQLite file per database, in a folder of this process under the temp folder, every one with the same
/// settings: WAL journal (set when the file is created, kept in the file) and <see cref="Synchronous"/> on every
/// connection, whether EF, Liblim or the raw ADO.NET baseline opens it.
/// </summary>
public static class SqliteFiles
{
    /// <summary>The synchronous level of every connection: NORMAL, the usual setting with WAL.</summary>
    public const string Synchronous = "NORMAL";

    private static readonly Lazy<string> FolderPath = new(CreateFolder);
    private static int _counter;

    /// <summary>This process's folder of database files; deleted when the process exits.</summary>
    public static string Folder => FolderPath.Value;

    /// <summary>A new file name in <see cref="Folder"/> (nothing is created).</summary>
    public static string NewPath(string name)
        => Path.Combine(Folder, $"{name}-{Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture)}.db");

    public static string ConnectionString(string path)
        => new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();

    public static DbContextOptions<PlainDb> PlainOptions(string path)
        => new DbContextOptionsBuilder<PlainDb>()
            .UseSqlite(ConnectionString(path))
            .AddInterceptors(PragmaInterceptor.Instance)
            .Options;

    public static DbContextOptions<ReplicatedDb> ReplicatedOptions(string path, Action<LiblimOptionsBuilder>? configure = null)
        => new DbContextOptionsBuilder<ReplicatedDb>()
            .UseSqlite(ConnectionString(path))
            .AddInterceptors(PragmaInterceptor.Instance)
            .UseLiblim(configure)
            .Options;

    public static DbContextOptions<FloorDb> FloorOptions(string path)
        => new DbContextOptionsBuilder<FloorDb>()
            .UseSqlite(ConnectionString(path))
            .AddInterceptors(PragmaInterceptor.Instance)
            .Options;

    /// <summary>Creates an empty database with the plain model.</summary>
    public static string CreatePlain(string name)
    {
        var path = NewPath(name);
        using (var db = new PlainDb(PlainOptions(path)))
        {
            db.Database.EnsureCreated();
        }

        UseWal(path);
        return path;
    }

    /// <summary>Creates an empty database with the replicated model (data table and Liblim's shadow tables).</summary>
    public static string CreateReplicated(string name)
    {
        var path = NewPath(name);
        using (var db = new ReplicatedDb(ReplicatedOptions(path)))
        {
            db.Database.EnsureCreated();
        }

        UseWal(path);
        return path;
    }

    /// <summary>A raw ADO.NET connection with the same settings as EF's.</summary>
    public static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        PragmaInterceptor.Apply(connection);
        return connection;
    }

    /// <summary>
    /// Folds the write-ahead log into the file and closes every pooled connection to it, so that the file alone
    /// holds the database and can be copied.
    /// </summary>
    public static void Checkpoint(string path)
    {
        using (var connection = OpenRaw(path))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>A copy of a checkpointed database under a new name.</summary>
    public static string Copy(string template, string name)
    {
        var path = NewPath(name);
        File.Copy(template, path);
        return path;
    }

    /// <summary>Closes pooled connections to the file and deletes it with its WAL files.</summary>
    public static void Delete(string? path)
    {
        if (path is null)
        {
            return;
        }

        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void UseWal(string path)
    {
        using var connection = OpenRaw(path);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL";
        var mode = (string?)command.ExecuteScalar();
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite did not switch {path} to WAL (journal_mode is {mode}).");
        }
    }

    private static string CreateFolder()
    {
        var root = Path.Combine(Path.GetTempPath(), "liblim-bench");
        Directory.CreateDirectory(root);
        foreach (var stale in Directory.GetDirectories(root))
        {
            // Folders of runs that were killed before they could clean up.
            if (int.TryParse(Path.GetFileName(stale), out var pid) && !IsRunning(pid))
            {
                TryDeleteFolder(stale);
            }
        }

        var folder = Path.Combine(root, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            SqliteConnection.ClearAllPools();
            TryDeleteFolder(folder);
        };
        return folder;
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

    private static void TryDeleteFolder(string folder)
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

    /// <summary>Sets the synchronous level on every connection EF opens (Liblim's commands run on EF's connection).</summary>
    private sealed class PragmaInterceptor : DbConnectionInterceptor
    {
        public static readonly PragmaInterceptor Instance = new();

        public static void Apply(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA synchronous={Synchronous}";
            command.ExecuteNonQuery();
        }

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }
    }
}
