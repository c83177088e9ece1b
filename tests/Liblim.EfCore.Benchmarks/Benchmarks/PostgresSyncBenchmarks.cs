using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Liblim.EfCore.Benchmarks.Benchmarks;

/// <summary>
/// Figure 4, SQLite to PostgreSQL: the initial sync of the SQLite source of <see cref="SyncBenchmarks"/> into an
/// empty PostgreSQL database, in process (the baseline: the merge) and over loopback TCP (a <see cref="LiblimServer"/>
/// serves the SQLite file; the PostgreSQL side syncs as the client). Also the fastest plain load of the same rows
/// into PostgreSQL (binary COPY), for scale. The PostgreSQL tables are truncated before every iteration.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PostgresSyncBenchmarks
{
    private SyncTemplates _templates = null!;
    private Ticket[] _rows = [];
    private string _replicated = "";
    private string _plain = "";
    private string? _source;
    private LiblimServer? _server;

    public static IEnumerable<int> RowCounts => [BenchmarkSettings.SyncRows];

    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        if (!PostgresInstance.TryGet(out var postgres, out var error))
        {
            throw new InvalidOperationException($"PostgreSQL is not available: {error}");
        }

        _templates = SyncTemplates.For(Rows);
        _rows = SyncTemplates.SourceRows(Rows);
        _replicated = postgres!.CreateDatabase();
        _plain = postgres.CreateDatabase();
        using (var db = new ReplicatedDb(PostgresInstance.ReplicatedOptions(_replicated)))
        {
            db.Database.EnsureCreated();
        }

        using (var db = new PlainDb(PostgresInstance.PlainOptions(_plain)))
        {
            db.Database.EnsureCreated();
        }
    }

    [IterationSetup(Target = nameof(CopyIntoPostgres))]
    public void SetupCopy() => Truncate(_plain, BenchDb.TableName);

    [IterationSetup(Target = nameof(MergeIntoPostgres))]
    public void SetupMerge() => Prepare(serve: false);

    [IterationSetup(Target = nameof(TcpIntoPostgres))]
    public void SetupTcp() => Prepare(serve: true);

    [Benchmark(Description = "PostgreSQL binary COPY of the rows (plain table)"), BenchmarkCategory("4 initial sync to PostgreSQL")]
    public ulong CopyIntoPostgres()
    {
        using var connection = new NpgsqlConnection(_plain);
        connection.Open();
        using var writer = connection.BeginBinaryImport(
            $"COPY \"{BenchDb.TableName}\" (\"Id\", \"Title\", \"Description\", \"Status\", \"Assignee\", \"Priority\", \"Points\", \"Revision\", \"Estimate\", \"IsOpen\", \"CreatedUtc\") FROM STDIN (FORMAT BINARY)");
        foreach (var row in _rows)
        {
            writer.StartRow();
            writer.Write(row.Id, NpgsqlDbType.Uuid);
            writer.Write(row.Title, NpgsqlDbType.Text);
            writer.Write(row.Description, NpgsqlDbType.Text);
            writer.Write(row.Status, NpgsqlDbType.Text);
            writer.Write(row.Assignee, NpgsqlDbType.Text);
            writer.Write(row.Priority, NpgsqlDbType.Integer);
            writer.Write(row.Points, NpgsqlDbType.Integer);
            writer.Write(row.Revision, NpgsqlDbType.Bigint);
            writer.Write(row.Estimate, NpgsqlDbType.Double);
            writer.Write(row.IsOpen, NpgsqlDbType.Boolean);
            writer.Write(row.CreatedUtc, NpgsqlDbType.TimestampTz);
        }

        return writer.Complete();
    }

    [Benchmark(Baseline = true, Description = "merge in process, SQLite into PostgreSQL"), BenchmarkCategory("4 initial sync to PostgreSQL")]
    public async Task<int> MergeIntoPostgres()
    {
        await using var target = new ReplicatedDb(PostgresInstance.ReplicatedOptions(_replicated));
        await using var source = new ReplicatedDb(SqliteFiles.ReplicatedOptions(_source!));
        return Check((await target.Liblim().SyncWithAsync(source)).RowsApplied);
    }

    [Benchmark(Description = "sync over loopback TCP, SQLite into PostgreSQL"), BenchmarkCategory("4 initial sync to PostgreSQL")]
    public async Task<int> TcpIntoPostgres()
    {
        await using var target = new ReplicatedDb(PostgresInstance.ReplicatedOptions(_replicated));
        return Check((await target.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{_server!.Endpoint.Port}"), BenchmarkSettings.Secret)).RowsApplied);
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server = null;
        SqliteFiles.Delete(_source);
        _source = null;
    }

    private void Prepare(bool serve)
    {
        Truncate(_replicated, BenchDb.TableName, "__liblim_rows", "__liblim_state", "__liblim_peers");
        _source = SqliteFiles.Copy(_templates.Source, "pg-source");
        if (serve)
        {
            _server = LiblimServer.StartAsync(ReplicaFactory.ForSqlite(_source),
                new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = BenchmarkSettings.Secret }).GetAwaiter().GetResult();
        }
    }

    private static void Truncate(string connectionString, params string[] tables)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"TRUNCATE {string.Join(", ", tables.Select(t => $"\"{t}\""))}";
        command.ExecuteNonQuery();
    }

    private int Check(int applied)
        => applied == Rows ? applied : throw new InvalidOperationException($"The sync applied {applied} rows, not {Rows}.");
}
