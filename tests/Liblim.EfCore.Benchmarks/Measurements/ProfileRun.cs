using System.Buffers;
using System.Diagnostics;
using System.Net;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Liblim.EfCore.Protocol;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// The <c>profile</c> command: one scenario of the benchmarks, repeated, with nothing else in the process, to run
/// under a profiler (<c>dotnet-trace collect -- dotnet Liblim.EfCore.Benchmarks.dll profile insert 20</c>). Prints
/// the time of each repetition.
/// </summary>
internal static class ProfileRun
{
    public const string Scenarios = "insert | update | delete (1,000 rows, replicated) | plain-insert | plain-update | plain-delete (the same through plain EF Core, figure 1's baselines) | floor-insert | floor-update | floor-delete (plain EF Core and the metadata I/O raw, figure 1's floors) | raw (figure 2's baseline) | feed | wire | apply | apply-older | merge | merge-older | tcp (the sync rows) | merge-pg, merge-pg-older (the whole in-process sync into PostgreSQL) | hub-pg, hub-pg-scoped (one peer's rows applied by a PostgreSQL hub, the peer served by scope or not: figure 8's one applier)";

    private static readonly Lazy<(string Empty, string Full, string PlainEmpty, string PlainFull)> WriteTemplates = new(() =>
    {
        var empty = SqliteFiles.CreateReplicated("profile-empty");
        var full = SqliteFiles.CreateReplicated("profile-full");
        var plainEmpty = SqliteFiles.CreatePlain("profile-plain-empty");
        var plainFull = SqliteFiles.CreatePlain("profile-plain-full");
        TicketWrites.InsertAsync(() => new ReplicatedDb(SqliteFiles.ReplicatedOptions(full)), 0, 1_000).GetAwaiter().GetResult();
        TicketWrites.InsertAsync(() => new PlainDb(SqliteFiles.PlainOptions(plainFull)), 0, 1_000).GetAwaiter().GetResult();
        foreach (var path in new[] { empty, full, plainEmpty, plainFull })
        {
            SqliteFiles.Checkpoint(path);
        }

        return (empty, full, plainEmpty, plainFull);
    });

    /// <param name="scenarios">One scenario, or several separated by commas, run in turn in each repetition (so that a scenario and its baseline share the machine's moments).</param>
    /// <param name="repetitions">How many times each runs.</param>
    /// <param name="options">The command's options.</param>
    public static async Task<int> RunAsync(string scenarios, int repetitions, Options options)
    {
        var prepared = scenarios.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(scenario => (Name: scenario, Prepare: Scenario(scenario, options)))
            .ToList();
        AllocationSampler? sampler = null;
        var times = prepared.ToDictionary(p => p.Name, _ => new List<(double Wall, double Cpu)>());
        for (var i = 0; i < repetitions; i++)
        {
            foreach (var (scenario, prepare) in prepared)
            {
                var step = await prepare();
                if (options.Allocations && i == repetitions - 1 && prepared.Count == 1)
                {
                    sampler = new AllocationSampler();
                }

                var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                var paused = GC.GetTotalPauseDuration();
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                await step.Run();
                var elapsed = watch.Elapsed;
                cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                times[scenario].Add((elapsed.TotalMilliseconds, cpu.TotalMilliseconds));
                Console.WriteLine($"{scenario} #{i + 1}: {elapsed.TotalMilliseconds:N1} ms, CPU {cpu.TotalMilliseconds:N0} ms; allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:N0} MiB; " +
                                  $"collections gen0/1/2 {GC.CollectionCount(0) - collections.Item1}/{GC.CollectionCount(1) - collections.Item2}/{GC.CollectionCount(2) - collections.Item3}, " +
                                  $"paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:N0} ms");
                if (step.After is { } after)
                {
                    await after();
                }
            }
        }

        ProfileSummary.Write(times, repetitions);

        if (sampler is not null)
        {
            sampler.Dispose();
            Console.WriteLine($"{scenarios}, the last repetition's allocations by type (sampled):");
            foreach (var (type, bytes) in sampler.Top(25))
            {
                Console.WriteLine($"{bytes / 1048576.0,8:N1} MiB  {type}");
            }
        }

        return 0;
    }

    private static Func<Task<ProfileStep>> Scenario(string scenario, Options options) => scenario switch
    {
        "insert" or "plain-insert" or "floor-insert" => () => Write(scenario, db => db.Tickets.AddRange(TicketGenerator.Range(0, 1_000)), empty: true),
        "update" or "plain-update" or "floor-update" => () => Write(scenario, db => db.Tickets.ToList().ForEach(t => t.Title += " (edited)"), empty: false),
        "delete" or "plain-delete" or "floor-delete" => () => Write(scenario, db => db.Tickets.RemoveRange(db.Tickets.ToList()), empty: false),
        "raw" => () => Raw(options.Rows!.Value),
        "feed" => () => Feed(options.Rows!.Value),
        "wire" => () => Wire(options.Rows!.Value),
        "apply" => () => Apply(options.Rows!.Value, t => t.TargetEmpty),
        "apply-older" => () => Apply(options.Rows!.Value, t => t.TargetOld),
        "merge" => () => Sync(options.Rows!.Value, t => t.TargetEmpty, tcp: false),
        "merge-older" => () => Sync(options.Rows!.Value, t => t.TargetOld, tcp: false),
        "tcp" => () => Sync(options.Rows!.Value, t => t.TargetEmpty, tcp: true),
        "merge-pg" => () => SyncIntoPostgres(options.Rows!.Value, older: false),
        "merge-pg-older" => () => SyncIntoPostgres(options.Rows!.Value, older: true),
        "hub-pg" => () => ApplyAtHub(options.Rows!.Value, scoped: false),
        "hub-pg-scoped" => () => ApplyAtHub(options.Rows!.Value, scoped: true),
        _ => throw new ArgumentException($"Unknown scenario '{scenario}'; one of: {Scenarios}."),
    };

    /// <summary>
    /// One SaveChanges of 1,000 rows: replicated; through plain EF Core (a scenario named <c>plain-</c>), figure 1's
    /// baseline; or through plain EF Core with the metadata I/O the storage layout needs done raw in its transaction (a
    /// scenario named <c>floor-</c>, <see cref="MetadataFloor"/>), figure 1's floor.
    /// </summary>
    private static Task<ProfileStep> Write(string scenario, Action<BenchDb> change, bool empty)
    {
        var kind = scenario[..Math.Max(0, scenario.IndexOf('-'))];
        var templates = WriteTemplates.Value;
        var path = SqliteFiles.Copy(kind == "plain" ? (empty ? templates.PlainEmpty : templates.PlainFull) : (empty ? templates.Empty : templates.Full), "profile");
        BenchDb db = kind switch
        {
            "plain" => new PlainDb(SqliteFiles.PlainOptions(path)),
            "floor" => new FloorDb(SqliteFiles.FloorOptions(path)),
            _ => new ReplicatedDb(SqliteFiles.ReplicatedOptions(path)),
        };
        db.Database.OpenConnection();
        change(db);
        Func<int> save = db is FloorDb floor
            ? () => MetadataFloor.Save(floor, [.. floor.ChangeTracker.Entries<Ticket>().Select(e => e.Entity.Id)], Enum.Parse<MetadataFloor.Kind>(scenario[(kind.Length + 1)..], ignoreCase: true))
            : db.SaveChanges;
        return Task.FromResult(new ProfileStep(() => Task.FromResult(save()), async () =>
        {
            await db.DisposeAsync();
            SqliteFiles.Delete(path);
        }));
    }

    /// <summary>Figure 2's baseline: the sync rows inserted with raw ADO.NET (one prepared INSERT, one transaction).</summary>
    private static Task<ProfileStep> Raw(int rows)
    {
        var templates = SyncTemplates.For(rows);
        var sourceRows = SyncTemplates.SourceRows(rows);
        var target = SqliteFiles.Copy(templates.PlainEmpty, "profile-raw");
        return Task.FromResult(new ProfileStep(() =>
        {
            using (var connection = SqliteFiles.OpenRaw(target))
            {
                RawRows.Run(connection, sourceRows, guidAsText: true);
            }

            return Task.CompletedTask;
        }, () => Delete(target)));
    }

    /// <summary>Reading the source's whole feed as a sync sends it, batch by batch: the sending side of a sync alone.</summary>
    private static Task<ProfileStep> Feed(int rows)
    {
        var source = SqliteFiles.Copy(SyncTemplates.For(rows).Source, "profile-source");
        return Task.FromResult(new ProfileStep(() =>
        {
            if (RemoteBatches.Read(source).Sum(b => b.States.Count) != rows)
            {
                throw new InvalidOperationException("The feed does not hold the rows the templates wrote.");
            }

            return Task.CompletedTask;
        }, () => Delete(source)));
    }

    /// <summary>The protocol alone: every state of the source's feed, read into memory first, written as a line and parsed back.</summary>
    private static Task<ProfileStep> Wire(int rows)
    {
        var states = RemoteBatches.Read(SyncTemplates.For(rows).Source).SelectMany(b => b.States).Select(s => new RowMessage(s)).ToList();
        var line = new ArrayBufferWriter<byte>(4096);
        return Task.FromResult(new ProfileStep(() =>
        {
            foreach (var message in states)
            {
                line.ResetWrittenCount();
                ProtocolWriter.Write(message, line);
                if (ProtocolParser.ParseLine(line.WrittenMemory[..^1]) is not RowMessage { State.Columns.Count: > 0 })
                {
                    throw new InvalidOperationException("A row line did not parse back as the row.");
                }
            }

            return Task.CompletedTask;
        }));
    }

    /// <summary>Applying the source's feed, read into memory first, as figure 2 measures it.</summary>
    private static Task<ProfileStep> Apply(int rows, Func<SyncTemplates, string> target)
    {
        var templates = SyncTemplates.For(rows);
        var batches = RemoteBatches.Read(templates.Source);
        var targetPath = SqliteFiles.Copy(target(templates), "profile-target");
        return Task.FromResult(new ProfileStep(() => RemoteBatches.ApplyAsync(targetPath, batches), () => Delete(targetPath)));
    }

    /// <summary>
    /// Figure 4's in-process sync into PostgreSQL: the source's rows into a replicated database of their own, empty or
    /// (<paramref name="older"/>) holding older versions of the rows, synced there from the older template first.
    /// </summary>
    private static async Task<ProfileStep> SyncIntoPostgres(int rows, bool older)
    {
        if (!PostgresInstance.TryGet(out var postgres, out var error))
        {
            throw new InvalidOperationException($"PostgreSQL is not available: {error}");
        }

        var source = SqliteFiles.Copy(SyncTemplates.For(rows).Source, "profile-source");
        var target = postgres!.CreateDatabase();
        await using (var db = new ReplicatedDb(PostgresInstance.ReplicatedOptions(target)))
        {
            await db.Database.EnsureCreatedAsync();
            if (older)
            {
                var old = SqliteFiles.Copy(SyncTemplates.For(rows).TargetOld, "profile-older");
                await using (var o = new ReplicatedDb(SqliteFiles.ReplicatedOptions(old)))
                {
                    await db.Liblim().SyncWithAsync(o);
                }

                SqliteFiles.Delete(old);
            }
        }

        return new ProfileStep(async () =>
        {
            await using var db = new ReplicatedDb(PostgresInstance.ReplicatedOptions(target));
            await using var s = new ReplicatedDb(SqliteFiles.ReplicatedOptions(source));
            await db.Liblim().SyncWithAsync(s);
        }, () => Delete(source));
    }

    /// <summary>One device's rows applied by a PostgreSQL hub into empty tables, as figure 8's one applier applies them.</summary>
    private static async Task<ProfileStep> ApplyAtHub(int rows, bool scoped)
    {
        if (!PostgresInstance.TryGet(out var postgres, out var error))
        {
            throw new InvalidOperationException($"PostgreSQL is not available: {error}");
        }

        var (apply, empty) = await HubConcurrency.OneApplierAsync(postgres!, SyncTemplates.For(rows).Source, scoped);
        return new ProfileStep(apply, empty);
    }

    private static async Task<ProfileStep> Sync(int rows, Func<SyncTemplates, string> target, bool tcp)
    {
        var templates = SyncTemplates.For(rows);
        var source = SqliteFiles.Copy(templates.Source, "profile-source");
        var targetPath = SqliteFiles.Copy(target(templates), "profile-target");
        var server = tcp
            ? await LiblimServer.StartAsync(ReplicaFactory.ForSqlite(source), new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = BenchmarkSettings.Secret })
            : null;
        return new ProfileStep(async () =>
        {
            await using var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(targetPath));
            if (server is null)
            {
                await using var s = new ReplicatedDb(SqliteFiles.ReplicatedOptions(source));
                await db.Liblim().SyncWithAsync(s);
            }
            else
            {
                await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}"), BenchmarkSettings.Secret);
            }
        }, async () =>
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            await Delete(source);
            await Delete(targetPath);
        });
    }

    private static Task Delete(string path)
    {
        SqliteFiles.Delete(path);
        return Task.CompletedTask;
    }

    /// <summary>A scenario's timed work, and what is done after it untimed (closing, deleting its files).</summary>
    private sealed record ProfileStep(Func<Task> Run, Func<Task>? After = null);
}
