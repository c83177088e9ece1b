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
    public const string Scenarios = "insert | update | delete (1,000 rows, replicated) | raw (figure 2's baseline) | feed | wire | apply | apply-older | merge | merge-older | tcp (the sync rows) | merge-pg, merge-pg-older (the whole in-process sync into PostgreSQL)";

    private static readonly Lazy<(string Empty, string Full)> WriteTemplates = new(() =>
    {
        var empty = SqliteFiles.CreateReplicated("profile-empty");
        var full = SqliteFiles.CreateReplicated("profile-full");
        TicketWrites.InsertAsync(() => new ReplicatedDb(SqliteFiles.ReplicatedOptions(full)), 0, 1_000).GetAwaiter().GetResult();
        SqliteFiles.Checkpoint(empty);
        SqliteFiles.Checkpoint(full);
        return (empty, full);
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
        for (var i = 0; i < repetitions; i++)
        {
            foreach (var (scenario, prepare) in prepared)
            {
                var run = await prepare();
                if (options.Allocations && i == repetitions - 1 && prepared.Count == 1)
                {
                    sampler = new AllocationSampler();
                }

                var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                var paused = GC.GetTotalPauseDuration();
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                await run();
                var elapsed = watch.Elapsed;
                cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                Console.WriteLine($"{scenario} #{i + 1}: {elapsed.TotalMilliseconds:N1} ms, CPU {cpu.TotalMilliseconds:N0} ms; allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:N0} MiB; " +
                                  $"collections gen0/1/2 {GC.CollectionCount(0) - collections.Item1}/{GC.CollectionCount(1) - collections.Item2}/{GC.CollectionCount(2) - collections.Item3}, " +
                                  $"paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:N0} ms");
            }
        }

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

    private static Func<Task<Func<Task>>> Scenario(string scenario, Options options) => scenario switch
    {
        "insert" => () => Write(db => db.Tickets.AddRange(TicketGenerator.Range(0, 1_000)), empty: true),
        "update" => () => Write(db => db.Tickets.ToList().ForEach(t => t.Title += " (edited)"), empty: false),
        "delete" => () => Write(db => db.Tickets.RemoveRange(db.Tickets.ToList()), empty: false),
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
        _ => throw new ArgumentException($"Unknown scenario '{scenario}'; one of: {Scenarios}."),
    };

    private static Task<Func<Task>> Write(Action<ReplicatedDb> change, bool empty)
    {
        var path = SqliteFiles.Copy(empty ? WriteTemplates.Value.Empty : WriteTemplates.Value.Full, "profile");
        var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(path));
        db.Database.OpenConnection();
        change(db);
        return Task.FromResult<Func<Task>>(async () =>
        {
            db.SaveChanges();
            await db.DisposeAsync();
            SqliteFiles.Delete(path);
        });
    }

    /// <summary>Figure 2's baseline: the sync rows inserted with raw ADO.NET (one prepared INSERT, one transaction).</summary>
    private static Task<Func<Task>> Raw(int rows)
    {
        var templates = SyncTemplates.For(rows);
        var sourceRows = SyncTemplates.SourceRows(rows);
        var target = SqliteFiles.Copy(templates.PlainEmpty, "profile-raw");
        return Task.FromResult<Func<Task>>(() =>
        {
            using (var connection = SqliteFiles.OpenRaw(target))
            {
                RawRows.Run(connection, sourceRows, guidAsText: true);
            }

            SqliteFiles.Delete(target);
            return Task.CompletedTask;
        });
    }

    /// <summary>Reading the source's whole feed as a sync sends it, batch by batch: the sending side of a sync alone.</summary>
    private static Task<Func<Task>> Feed(int rows)
    {
        var source = SqliteFiles.Copy(SyncTemplates.For(rows).Source, "profile-source");
        return Task.FromResult<Func<Task>>(() =>
        {
            if (RemoteBatches.Read(source).Sum(b => b.States.Count) != rows)
            {
                throw new InvalidOperationException("The feed does not hold the rows the templates wrote.");
            }

            SqliteFiles.Delete(source);
            return Task.CompletedTask;
        });
    }

    /// <summary>The protocol alone: every state of the source's feed, read into memory first, written as a line and parsed back.</summary>
    private static Task<Func<Task>> Wire(int rows)
    {
        var states = RemoteBatches.Read(SyncTemplates.For(rows).Source).SelectMany(b => b.States).Select(s => new RowMessage(s)).ToList();
        var line = new ArrayBufferWriter<byte>(4096);
        return Task.FromResult<Func<Task>>(() =>
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
        });
    }

    /// <summary>Applying the source's feed, read into memory first, as figure 2 measures it.</summary>
    private static Task<Func<Task>> Apply(int rows, Func<SyncTemplates, string> target)
    {
        var templates = SyncTemplates.For(rows);
        var batches = RemoteBatches.Read(templates.Source);
        var targetPath = SqliteFiles.Copy(target(templates), "profile-target");
        return Task.FromResult<Func<Task>>(async () =>
        {
            await RemoteBatches.ApplyAsync(targetPath, batches);
            SqliteFiles.Delete(targetPath);
        });
    }

    /// <summary>
    /// Figure 4's in-process sync into PostgreSQL: the source's rows into a replicated database of their own, empty or
    /// (<paramref name="older"/>) holding older versions of the rows, synced there from the older template first.
    /// </summary>
    private static async Task<Func<Task>> SyncIntoPostgres(int rows, bool older)
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

        return async () =>
        {
            await using (var db = new ReplicatedDb(PostgresInstance.ReplicatedOptions(target)))
            {
                await using var s = new ReplicatedDb(SqliteFiles.ReplicatedOptions(source));
                await db.Liblim().SyncWithAsync(s);
            }

            SqliteFiles.Delete(source);
        };
    }

    private static async Task<Func<Task>> Sync(int rows, Func<SyncTemplates, string> target, bool tcp)
    {
        var templates = SyncTemplates.For(rows);
        var source = SqliteFiles.Copy(templates.Source, "profile-source");
        var targetPath = SqliteFiles.Copy(target(templates), "profile-target");
        var server = tcp
            ? await LiblimServer.StartAsync(ReplicaFactory.ForSqlite(source), new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = BenchmarkSettings.Secret })
            : null;
        return async () =>
        {
            await using (var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(targetPath)))
            {
                if (server is null)
                {
                    await using var s = new ReplicatedDb(SqliteFiles.ReplicatedOptions(source));
                    await db.Liblim().SyncWithAsync(s);
                }
                else
                {
                    await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}"), BenchmarkSettings.Secret);
                    await server.DisposeAsync();
                }
            }

            SqliteFiles.Delete(source);
            SqliteFiles.Delete(targetPath);
        };
    }
}
