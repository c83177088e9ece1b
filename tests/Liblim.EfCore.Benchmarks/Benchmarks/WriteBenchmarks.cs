using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Benchmarks;

/// <summary>
/// Figure 1, write overhead: one SaveChanges of 1,000 inserted, updated (one column) or deleted rows, replicated
/// versus the same entity and table without replication. Only SaveChanges is measured: every iteration gets a
/// fresh copy of a template file, and the context, its open connection and its tracked changes are prepared in
/// the iteration setup. A third benchmark per operation is the floor: plain EF Core plus, in its transaction, the
/// metadata reads and writes replication cannot avoid with its storage layout, done raw (<see cref="MetadataFloor"/>).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class WriteBenchmarks
{
    public const int Rows = 1_000;

    private static readonly Lazy<(string PlainEmpty, string ReplicatedEmpty, string PlainFull, string ReplicatedFull)> Templates = new(BuildTemplates);

    private string? _path;
    private BenchDb? _db;
    private List<Guid> _keys = [];

    [GlobalSetup]
    public void GlobalSetup() => _ = Templates.Value;

    [IterationSetup(Target = nameof(InsertPlain))]
    public void SetupInsertPlain() => PrepareInsert(replicated: false);

    [IterationSetup(Target = nameof(InsertReplicated))]
    public void SetupInsertReplicated() => PrepareInsert(replicated: true);

    [IterationSetup(Target = nameof(UpdatePlain))]
    public void SetupUpdatePlain() => PrepareUpdate(replicated: false);

    [IterationSetup(Target = nameof(UpdateReplicated))]
    public void SetupUpdateReplicated() => PrepareUpdate(replicated: true);

    [IterationSetup(Target = nameof(DeletePlain))]
    public void SetupDeletePlain() => PrepareDelete(replicated: false);

    [IterationSetup(Target = nameof(DeleteReplicated))]
    public void SetupDeleteReplicated() => PrepareDelete(replicated: true);

    [IterationSetup(Target = nameof(InsertFloor))]
    public void SetupInsertFloor() => PrepareInsert(replicated: false, template: Templates.Value.ReplicatedEmpty, floor: true);

    [IterationSetup(Target = nameof(UpdateFloor))]
    public void SetupUpdateFloor() => PrepareUpdate(replicated: false, template: Templates.Value.ReplicatedFull, floor: true);

    [IterationSetup(Target = nameof(DeleteFloor))]
    public void SetupDeleteFloor() => PrepareDelete(replicated: false, template: Templates.Value.ReplicatedFull, floor: true);

    [Benchmark(Baseline = true, Description = "insert 1,000 rows: plain EF Core"), BenchmarkCategory("1 insert")]
    public int InsertPlain() => _db!.SaveChanges();

    [Benchmark(Description = "insert 1,000 rows: replicated"), BenchmarkCategory("1 insert")]
    public int InsertReplicated() => _db!.SaveChanges();

    [Benchmark(Baseline = true, Description = "update 1 column of 1,000 rows: plain EF Core"), BenchmarkCategory("1 update")]
    public int UpdatePlain() => _db!.SaveChanges();

    [Benchmark(Description = "update 1 column of 1,000 rows: replicated"), BenchmarkCategory("1 update")]
    public int UpdateReplicated() => _db!.SaveChanges();

    [Benchmark(Baseline = true, Description = "delete 1,000 rows: plain EF Core"), BenchmarkCategory("1 delete")]
    public int DeletePlain() => _db!.SaveChanges();

    [Benchmark(Description = "delete 1,000 rows: replicated"), BenchmarkCategory("1 delete")]
    public int DeleteReplicated() => _db!.SaveChanges();

    [Benchmark(Description = "insert 1,000 rows: plain + metadata I/O (floor)"), BenchmarkCategory("1 insert")]
    public int InsertFloor() => SaveWithFloor(MetadataFloor.Kind.Insert);

    [Benchmark(Description = "update 1 column of 1,000 rows: plain + metadata I/O (floor)"), BenchmarkCategory("1 update")]
    public int UpdateFloor() => SaveWithFloor(MetadataFloor.Kind.Update);

    [Benchmark(Description = "delete 1,000 rows: plain + metadata I/O (floor)"), BenchmarkCategory("1 delete")]
    public int DeleteFloor() => SaveWithFloor(MetadataFloor.Kind.Delete);

    [IterationCleanup]
    public void Cleanup()
    {
        _db?.Dispose();
        _db = null;
        SqliteFiles.Delete(_path);
        _path = null;
    }

    private int SaveWithFloor(MetadataFloor.Kind kind) => MetadataFloor.Save((FloorDb)_db!, _keys, kind);

    private void PrepareInsert(bool replicated, string? template = null, bool floor = false)
    {
        Open(template ?? (replicated ? Templates.Value.ReplicatedEmpty : Templates.Value.PlainEmpty), replicated, floor);
        var tickets = TicketGenerator.Range(0, Rows).ToList();
        _db!.Tickets.AddRange(tickets);
        _keys = [.. tickets.Select(t => t.Id)];
        Settle();
    }

    private void PrepareUpdate(bool replicated, string? template = null, bool floor = false)
    {
        Open(template ?? (replicated ? Templates.Value.ReplicatedFull : Templates.Value.PlainFull), replicated, floor);
        var tickets = _db!.Tickets.ToList();
        foreach (var ticket in tickets)
        {
            ticket.Title += " (edited)";
        }

        _keys = [.. tickets.Select(t => t.Id)];
        Settle();
    }

    private void PrepareDelete(bool replicated, string? template = null, bool floor = false)
    {
        Open(template ?? (replicated ? Templates.Value.ReplicatedFull : Templates.Value.PlainFull), replicated, floor);
        var tickets = _db!.Tickets.ToList();
        _db.Tickets.RemoveRange(tickets);
        _keys = [.. tickets.Select(t => t.Id)];
        Settle();
    }

    /// <summary>Starts the measured operation from a collected heap, so that no iteration pays for another's garbage.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private void Open(string template, bool replicated, bool floor = false)
    {
        _path = SqliteFiles.Copy(template, replicated ? "write-replicated" : "write-plain");
        _db = replicated ? new ReplicatedDb(SqliteFiles.ReplicatedOptions(_path))
            : floor ? new FloorDb(SqliteFiles.FloorOptions(_path))
            : new PlainDb(SqliteFiles.PlainOptions(_path));
        _db.Database.OpenConnection();
    }

    private static (string, string, string, string) BuildTemplates()
    {
        var plainEmpty = SqliteFiles.CreatePlain("write-tpl-plain-empty");
        var replicatedEmpty = SqliteFiles.CreateReplicated("write-tpl-replicated-empty");
        var plainFull = SqliteFiles.CreatePlain("write-tpl-plain-full");
        var replicatedFull = SqliteFiles.CreateReplicated("write-tpl-replicated-full");
        TicketWrites.InsertAsync(() => new PlainDb(SqliteFiles.PlainOptions(plainFull)), 0, Rows).GetAwaiter().GetResult();
        TicketWrites.InsertAsync(() => new ReplicatedDb(SqliteFiles.ReplicatedOptions(replicatedFull)), 0, Rows).GetAwaiter().GetResult();
        foreach (var path in new[] { plainEmpty, replicatedEmpty, plainFull, replicatedFull })
        {
            SqliteFiles.Checkpoint(path);
        }

        return (plainEmpty, replicatedEmpty, plainFull, replicatedFull);
    }
}
