using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Sync.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Benchmarks;

/// <summary>
/// Figures 2 and 4 on SQLite. Every iteration copies checkpointed template files (see <see cref="SyncTemplates"/>)
/// in its setup, so each measures the same work from the same state:
/// <list type="bullet">
/// <item>the baseline: the source's rows inserted with raw ADO.NET (one prepared INSERT, one transaction);</item>
/// <item>apply: the source's feed, read into memory in the iteration setup, applied to the target batch by batch as a
/// sync applies batches that arrive back to back (<c>ApplyGroup</c>: a savepoint per batch of states, a commit
/// at least every second): the merge proper, which figure 2 compares with the raw insert;</item>
/// <item>merge: <c>target.Liblim().SyncWithAsync(source)</c> in process, into an empty table and into one holding
/// older versions of every row. This is the public API; it includes reading the source's change feed (and the
/// reverse direction's check of the target's feed), which is part of what a merge of remote states costs;</item>
/// <item>the same sync over loopback TCP: <c>SyncWithAsync(liblim://...)</c> against a <see cref="LiblimServer"/> serving the source;</item>
/// <item>the same sync over a loopback WebSocket: <c>SyncWithAsync(ws://...)</c> against an ASP.NET Core hub (<see cref="WebSocketHub"/>) serving the source;</item>
/// <item>an incremental sync of 1,000 changed rows of the same table, in process, over TCP and over a WebSocket.</item>
/// </list>
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SyncBenchmarks
{
    private SyncTemplates _templates = null!;
    private Ticket[] _rows = [];
    private string? _source;
    private string? _target;
    private LiblimServer? _server;
    private WebSocketHub? _hub;
    private int _expected;
    private List<RemoteBatch> _batches = [];

    public static IEnumerable<int> RowCounts => [BenchmarkSettings.SyncRows];

    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _templates = SyncTemplates.For(Rows);
        _rows = SyncTemplates.SourceRows(Rows);
    }

    [IterationSetup(Target = nameof(RawInsert))]
    public void SetupRawInsert() => _target = SqliteFiles.Copy(_templates.PlainEmpty, "raw");

    [IterationSetup(Target = nameof(RawInsertWithMetadata))]
    public void SetupRawInsertWithMetadata() => _target = SqliteFiles.Copy(_templates.TargetEmpty, "raw-floor");

    [IterationSetup(Target = nameof(ApplyFloor))]
    public void SetupApplyFloor() => _target = SqliteFiles.Copy(_templates.TargetEmpty, "raw-apply-floor");

    [IterationSetup(Target = nameof(ApplyOlderFloor))]
    public void SetupApplyOlderFloor() => _target = SqliteFiles.Copy(_templates.TargetOld, "raw-apply-older-floor");

    [IterationSetup(Target = nameof(ApplyIntoEmpty))]
    public void SetupApplyIntoEmpty() => PrepareBatches(_templates.TargetEmpty);

    [IterationSetup(Target = nameof(ApplyIntoOlder))]
    public void SetupApplyIntoOlder() => PrepareBatches(_templates.TargetOld);

    [IterationSetup(Target = nameof(MergeIntoEmpty))]
    public void SetupIntoEmpty() => Prepare(_templates.Source, _templates.TargetEmpty, Rows, serve: false);

    [IterationSetup(Target = nameof(MergeIntoOlder))]
    public void SetupIntoOlder() => Prepare(_templates.Source, _templates.TargetOld, Rows, serve: false);

    [IterationSetup(Target = nameof(TcpIntoEmpty))]
    public void SetupTcpIntoEmpty() => Prepare(_templates.Source, _templates.TargetEmpty, Rows, serve: true);

    [IterationSetup(Target = nameof(WebSocketIntoEmpty))]
    public void SetupWebSocketIntoEmpty() => Prepare(_templates.Source, _templates.TargetEmpty, Rows, serve: true, webSocket: true);

    [IterationSetup(Target = nameof(MergeIncremental))]
    public void SetupIncremental() => Prepare(_templates.SourceChanged, _templates.TargetSynced, SyncTemplates.IncrementalRows, serve: false);

    [IterationSetup(Target = nameof(TcpIncremental))]
    public void SetupTcpIncremental() => Prepare(_templates.SourceChanged, _templates.TargetSynced, SyncTemplates.IncrementalRows, serve: true);

    [IterationSetup(Target = nameof(WebSocketIncremental))]
    public void SetupWebSocketIncremental() => Prepare(_templates.SourceChanged, _templates.TargetSynced, SyncTemplates.IncrementalRows, serve: true, webSocket: true);

    [Benchmark(Baseline = true, Description = "raw ADO.NET insert (prepared, 1 transaction)"), BenchmarkCategory("2 initial sync")]
    public int RawInsert()
    {
        using var connection = SqliteFiles.OpenRaw(_target!);
        return RawRows.Run(connection, _rows, guidAsText: true);
    }

    [Benchmark(Description = "raw insert of the rows with their metadata (floor)"), BenchmarkCategory("2 initial sync")]
    public int RawInsertWithMetadata()
    {
        using var connection = SqliteFiles.OpenRaw(_target!);
        return RawRows.Run(connection, _rows, guidAsText: true, firstSeq: 1);
    }

    /// <summary>
    /// The storage work of applying states into an empty table, raw, as a sync applies batches that arrive back to back:
    /// per batch of the default size, in a savepoint (its journal in memory), read the keys' data rows with their metadata and their
    /// rows of <c>__liblim_rows</c>, insert the rows with their metadata; commit once the default sync commit interval
    /// (1 second) has passed, and at the end. No states, no checks, no encoding.
    /// </summary>
    [Benchmark(Description = "raw reads and inserts per batch, committed as applying does (floor)"), BenchmarkCategory("2 initial sync")]
    public int ApplyFloor() => ApplyRaw(older: false);

    /// <summary>
    /// The same over older versions of every row: the same reads, then an update of every column of the rows and of their
    /// metadata (each moving to a new sequence number).
    /// </summary>
    [Benchmark(Description = "raw reads and updates per batch over older versions, committed as applying does (floor)"), BenchmarkCategory("2 initial sync")]
    public int ApplyOlderFloor() => ApplyRaw(older: true);

    [Benchmark(Description = "apply the remote row states, into an empty table"), BenchmarkCategory("2 initial sync")]
    public async Task<int> ApplyIntoEmpty() => await ApplyAsync();

    [Benchmark(Description = "apply the remote row states, into older versions"), BenchmarkCategory("2 initial sync")]
    public async Task<int> ApplyIntoOlder() => await ApplyAsync();

    [Benchmark(Description = "merge in process, into an empty table"), BenchmarkCategory("2 initial sync")]
    public async Task<int> MergeIntoEmpty() => await SyncInProcessAsync();

    [Benchmark(Description = "merge in process, into older versions"), BenchmarkCategory("2 initial sync")]
    public async Task<int> MergeIntoOlder() => await SyncInProcessAsync();

    [Benchmark(Description = "sync over loopback TCP, into an empty table"), BenchmarkCategory("2 initial sync")]
    public async Task<int> TcpIntoEmpty() => await SyncOverTcpAsync();

    [Benchmark(Description = "sync over a loopback WebSocket (ASP.NET Core hub), into an empty table"), BenchmarkCategory("2 initial sync")]
    public async Task<int> WebSocketIntoEmpty() => await SyncOverWebSocketAsync();

    [Benchmark(Baseline = true, Description = "1,000 changed rows: merge in process"), BenchmarkCategory("4 incremental sync")]
    public async Task<int> MergeIncremental() => await SyncInProcessAsync();

    [Benchmark(Description = "1,000 changed rows: sync over loopback TCP"), BenchmarkCategory("4 incremental sync")]
    public async Task<int> TcpIncremental() => await SyncOverTcpAsync();

    [Benchmark(Description = "1,000 changed rows: sync over a loopback WebSocket"), BenchmarkCategory("4 incremental sync")]
    public async Task<int> WebSocketIncremental() => await SyncOverWebSocketAsync();

    [IterationCleanup]
    public void Cleanup()
    {
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server = null;
        _hub?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _hub = null;
        SqliteFiles.Delete(_source);
        SqliteFiles.Delete(_target);
        _source = _target = null;
        _batches = [];
    }

    /// <summary>The source's whole feed, as the batches a sync would send, held in memory.</summary>
    private void PrepareBatches(string target)
    {
        Prepare(_templates.Source, target, Rows, serve: false);
        _batches = RemoteBatches.Read(_source!);
    }

    private async Task<int> ApplyAsync() => Check(await RemoteBatches.ApplyAsync(_target!, _batches));

    private int ApplyRaw(bool older)
    {
        using var connection = SqliteFiles.OpenRaw(_target!);
        using (var memory = connection.CreateCommand())
        {
            memory.CommandText = "PRAGMA temp_store = MEMORY"; // as applying keeps its savepoint journals
            memory.ExecuteNonQuery();
        }

        var seq = 10_000_000L; // after every sequence number the templates hold
        var transaction = connection.BeginTransaction();
        var started = Stopwatch.GetTimestamp();
        foreach (var batch in _rows.Chunk(new LiblimProtocolLimits().BatchSize))
        {
            transaction.Save("batch");
            var keys = batch.Select(r => r.Id).ToList();
            var found = MetadataFloor.ReadBeforeApply(connection, transaction, keys);
            if (found != (older ? keys.Count : 0))
            {
                throw new InvalidOperationException($"Expected {(older ? keys.Count : 0)} rows, found {found}.");
            }

            if (older)
            {
                RawRows.Update(connection, transaction, batch, guidAsText: true, firstSeq: seq);
            }
            else
            {
                RawRows.Insert(connection, transaction, batch, guidAsText: true, firstSeq: seq);
            }

            transaction.Release("batch");
            seq += batch.Length;
            if (Stopwatch.GetElapsedTime(started) >= LiblimOptionsExtension.DefaultSyncCommitInterval)
            {
                transaction.Commit();
                transaction.Dispose();
                transaction = connection.BeginTransaction();
                started = Stopwatch.GetTimestamp();
            }
        }

        transaction.Commit();
        transaction.Dispose();
        return _rows.Length;
    }

    private void Prepare(string source, string target, int expected, bool serve, bool webSocket = false)
    {
        _source = SqliteFiles.Copy(source, "source");
        _target = SqliteFiles.Copy(target, "target");
        _expected = expected;
        if (serve && webSocket)
        {
            _hub = WebSocketHub.StartAsync(SqliteFiles.ReplicatedOptions(_source)).GetAwaiter().GetResult();
        }
        else if (serve)
        {
            _server = LiblimServer.StartAsync(ReplicaFactory.ForSqlite(_source),
                new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = BenchmarkSettings.Secret }).GetAwaiter().GetResult();
        }
    }

    private async Task<int> SyncInProcessAsync()
    {
        await using var target = new ReplicatedDb(SqliteFiles.ReplicatedOptions(_target!));
        await using var source = new ReplicatedDb(SqliteFiles.ReplicatedOptions(_source!));
        var result = await target.Liblim().SyncWithAsync(source);
        return Check(result.RowsApplied);
    }

    private async Task<int> SyncOverTcpAsync()
    {
        await using var target = new ReplicatedDb(SqliteFiles.ReplicatedOptions(_target!));
        var result = await target.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{_server!.Endpoint.Port}"), BenchmarkSettings.Secret);
        return Check(result.RowsApplied);
    }

    private async Task<int> SyncOverWebSocketAsync()
    {
        await using var target = new ReplicatedDb(SqliteFiles.ReplicatedOptions(_target!));
        var result = await target.Liblim().SyncWithAsync(_hub!.Address, new LiblimClientOptions { Secret = BenchmarkSettings.Secret });
        return Check(result.RowsApplied);
    }

    private int Check(int applied)
        => applied == _expected
            ? applied
            : throw new InvalidOperationException($"The sync applied {applied} rows, not {_expected}: the templates are not what the benchmark expects.");
}
