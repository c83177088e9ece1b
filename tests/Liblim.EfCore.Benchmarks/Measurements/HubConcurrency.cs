using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Scopes.Internal;
using Liblim.EfCore.Sync.Internal;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 8: how fast a PostgreSQL hub database takes peers' batches when several are applied at once, as several
/// devices syncing with one hub (or several hub processes) apply theirs: the same rows (the source's feed, each row
/// once) split among 1, 2 or 4 appliers, each on a context of its own applying its share as a sync does (batches of
/// the default size, committed once a second by default, or after every batch). The rows' table is tied to no other by a
/// foreign key or unique index, so the appliers' groups apply concurrently (docs/semantics.md, "Several writers on one
/// database"): the figure shows how the rows per second grow with them, against one applier. The appliers run in this process, or each
/// in a process of its own (this program started again with <see cref="Command"/>), as hub processes sharing one database
/// do: then no applier waits for another's garbage collection. In the scoped runs each applier is a peer served by scope,
/// a user who may write the tickets assigned to them (each of its rows assigned to it), as a multi-user hub's peers are.
/// </summary>
internal static class HubConcurrency
{
    public const string Command = "hub-child";

    /// <summary>A multi-user hub's rule: a user may read and write the tickets assigned to them.</summary>
    private static readonly LiblimScopes Rules = new LiblimScopes().Scope<Ticket>((ticket, peer) => ticket.Assignee == peer.Claim("user"));

    /// <param name="Appliers">How many applied at once.</param>
    /// <param name="Rows">The rows applied, in all.</param>
    /// <param name="Elapsed">How long, from the first batch to the last commit.</param>
    /// <param name="MachineBusy">The share of the machine's CPU time that was busy meanwhile (PostgreSQL's too); null where not known.</param>
    /// <param name="CommitInterval">The appliers' <c>SyncCommitInterval</c>.</param>
    /// <param name="InProcesses">Whether each applier ran in a process of its own.</param>
    /// <param name="Scoped">Whether each applier was a peer served by scope.</param>
    public sealed record Result(int Appliers, int Rows, TimeSpan Elapsed, double? MachineBusy, TimeSpan CommitInterval, bool InProcesses = false, bool Scoped = false)
    {
        public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
    }

    /// <param name="postgres">The PostgreSQL server.</param>
    /// <param name="source">The SQLite file whose feed holds the rows.</param>
    /// <param name="appliers">How many apply at once in this process, each count a run.</param>
    /// <param name="commitIntervals">The commit intervals of those runs.</param>
    /// <param name="processes">How many apply at once each in a process of its own (at the first commit interval), each count a run.</param>
    /// <param name="scoped">How many peers served by scope apply at once in this process (at the first commit interval), each count a run.</param>
    public static async Task<List<Result>> MeasureAsync(PostgresInstance postgres, string source, int[] appliers, TimeSpan[] commitIntervals, int[] processes, int[] scoped)
    {
        var states = RemoteBatches.Read(source).SelectMany(b => b.States).ToList();
        var database = postgres.CreateDatabase();
        var scratch = postgres.CreateDatabase();
        foreach (var created in new[] { database, scratch })
        {
            await using var db = new ReplicatedDb(PostgresInstance.ReplicatedOptions(created));
            await db.Database.EnsureCreatedAsync();
        }

        await TruncateAsync(database);
        await ApplyAsync(database, states, "warm-up", commitIntervals[0]); // the code paths compiled before anything is timed

        // Each configuration three times, in turn, so that a slow spell of the machine does not fall on one alone; the median is kept.
        var runs = commitIntervals.SelectMany(i => appliers.Select(n => (N: n, Interval: i, InProcesses: false, Scoped: false)))
            .Concat(processes.Select(n => (N: n, Interval: commitIntervals[0], InProcesses: true, Scoped: false)))
            .Concat(scoped.Select(n => (N: n, Interval: commitIntervals[0], InProcesses: false, Scoped: true)))
            .ToList();
        var measured = runs.ToDictionary(r => r, _ => new List<Result>());
        for (var repetition = 0; repetition < 3; repetition++)
        {
            foreach (var run in runs)
            {
                measured[run].Add(run.InProcesses
                    ? await RunInProcessesAsync(database, scratch, source, states.Count, run.N, run.Interval)
                    : await RunAsync(database, states, run.N, run.Interval, run.Scoped));
            }
        }

        return [.. runs.Select(r => measured[r].OrderBy(m => m.Elapsed).ElementAt(1))];
    }

    /// <summary>
    /// For <c>profile</c>: a database, the work of one applier (a user's device where <paramref name="scoped"/>) applying
    /// all of the source's rows into its empty tables, and what empties them again.
    /// </summary>
    public static async Task<(Func<Task> Apply, Func<Task> Empty)> OneApplierAsync(PostgresInstance postgres, string source, bool scoped)
    {
        var states = RemoteBatches.Read(source).SelectMany(b => b.States).ToList();
        var database = postgres.CreateDatabase();
        await using (var db = new ReplicatedDb(PostgresInstance.ReplicatedOptions(database)))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var share = scoped ? AssignedTo(UserOf(0), states) : states;
        return (() => ApplyAsync(database, share, "device-0", LiblimOptionsExtension.DefaultSyncCommitInterval, scoped ? UserOf(0) : null),
            () => TruncateAsync(database));
    }

    /// <summary>
    /// The rows applied by <paramref name="n"/> appliers at once, from empty tables; where <paramref name="scoped"/>, each
    /// a user's device, its share of the rows assigned to that user.
    /// </summary>
    private static async Task<Result> RunAsync(string database, List<Crdt.RowState> states, int n, TimeSpan interval, bool scoped)
    {
        await TruncateAsync(database);
        var shares = Enumerable.Range(0, n).Select(i => scoped ? AssignedTo(UserOf(i), Share(states, i, n)) : Share(states, i, n)).ToList();
        var (elapsed, busy) = await TimeAsync(() => Task.WhenAll(shares.Select((share, i) =>
            Task.Run(() => ApplyAsync(database, share, $"device-{i}", interval, scoped ? UserOf(i) : null)))));
        await CheckAsync(database, states.Count, n);
        return new Result(n, states.Count, elapsed, busy, interval, Scoped: scoped);
    }

    private static string UserOf(int device) => $"user{device}@example.org";

    /// <summary>The states with every ticket assigned to <paramref name="user"/>, written when the ticket was.</summary>
    private static List<Crdt.RowState> AssignedTo(string user, List<Crdt.RowState> states)
    {
        var assigned = new List<Crdt.RowState>(states.Count);
        foreach (var state in states)
        {
            var columns = state.Columns.ToBuilder();
            columns[nameof(Ticket.Assignee)] = columns[nameof(Ticket.Assignee)] with { Json = $"\"{user}\"" };
            assigned.Add(state with { Columns = columns.ToImmutable() });
        }

        return assigned;
    }

    /// <summary>
    /// The rows applied by <paramref name="n"/> processes at once, from empty tables: each reads its share and warms up
    /// before the clock starts, then all start together.
    /// </summary>
    private static async Task<Result> RunInProcessesAsync(string database, string scratch, string source, int rows, int n, TimeSpan interval)
    {
        await TruncateAsync(database);
        await TruncateAsync(scratch);
        var children = Enumerable.Range(0, n)
            .Select(i => ChildProcess.Start(Command, [database, scratch, source, $"{i}", $"{n}", $"{interval.TotalMilliseconds}"]))
            .ToList();
        try
        {
            foreach (var child in children)
            {
                await ExpectAsync(child, "READY");
            }

            var (elapsed, busy) = await TimeAsync(async () =>
            {
                foreach (var child in children)
                {
                    await child.StandardInput.WriteLineAsync("go");
                    await child.StandardInput.FlushAsync();
                }

                await Task.WhenAll(children.Select(c => ExpectAsync(c, "DONE")));
            });
            await CheckAsync(database, rows, n);
            return new Result(n, rows, elapsed, busy, interval, InProcesses: true);
        }
        finally
        {
            foreach (var child in children)
            {
                child.Kill();
                child.Dispose();
            }
        }
    }

    /// <summary>The child side: applies its share of the source's rows once it is told to go (see <see cref="RunInProcessesAsync"/>).</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        if (args is not [var database, var scratch, var source, var index, var count, var intervalMs])
        {
            await Console.Error.WriteLineAsync($"{Command} DATABASE SCRATCH-DATABASE SOURCE INDEX COUNT COMMIT-INTERVAL-MS");
            return 1;
        }

        var (i, n) = (int.Parse(index, CultureInfo.InvariantCulture), int.Parse(count, CultureInfo.InvariantCulture));
        var interval = TimeSpan.FromMilliseconds(double.Parse(intervalMs, CultureInfo.InvariantCulture));
        var share = Share(RemoteBatches.Read(source).SelectMany(b => b.States).ToList(), i, n);
        // Its whole share to a scratch database first, so that the code paths are compiled (and recompiled with what the
        // runtime profiled) before anything is timed, as in this process's runs.
        await ApplyAsync(scratch, share, $"warm-up-{i}", interval);
        Console.WriteLine("READY");
        await Console.In.ReadLineAsync();
        await ApplyAsync(database, share, $"device-{i}", interval);
        Console.WriteLine("DONE");
        return 0;
    }

    private static List<Crdt.RowState> Share(List<Crdt.RowState> states, int i, int n) => [.. states.Where((_, s) => s % n == i)];

    /// <summary>How long the work took, and the share of the machine's CPU time that was busy meanwhile.</summary>
    private static async Task<(TimeSpan Elapsed, double? MachineBusy)> TimeAsync(Func<Task> work)
    {
        var before = CpuTimes();
        var watch = Stopwatch.StartNew();
        await work();
        var elapsed = watch.Elapsed;
        var after = CpuTimes();
        return (elapsed, before is { } b && after is { } a && a.Total > b.Total ? (double)(a.Busy - b.Busy) / (a.Total - b.Total) : null);
    }

    private static async Task ExpectAsync(Process child, string expected)
    {
        var line = await child.StandardOutput.ReadLineAsync();
        if (line != expected)
        {
            throw new InvalidOperationException($"A hub process said '{line}' where '{expected}' was expected: {await child.StandardError.ReadToEndAsync()}");
        }
    }

    private static async Task CheckAsync(string database, int rows, int n)
    {
        await using var check = new ReplicatedDb(PostgresInstance.ReplicatedOptions(database));
        var stored = await check.Tickets.CountAsync();
        if (stored != rows)
        {
            throw new InvalidOperationException($"{n} appliers stored {stored} rows of {rows}.");
        }
    }

    /// <summary>
    /// Applies one device's rows as a sync with it would: batches of the default size in apply groups; where a
    /// <paramref name="user"/> is given, as a hub serving the device by scope, with that user's claims.
    /// </summary>
    private static async Task ApplyAsync(string database, List<Crdt.RowState> states, string device, TimeSpan commitInterval, string? user = null)
    {
        var node = Guid.NewGuid();
        var scope = user is null ? null : PeerScope.For(Rules, new LiblimPeer(node, new ClaimsPrincipal(new ClaimsIdentity([new Claim("user", user)], "bench")), null));
        await using var db = new ReplicatedDb(new DbContextOptionsBuilder<ReplicatedDb>().UseNpgsql(database).UseLiblim(o => o.SyncCommitInterval(commitInterval)).Options);
        await using var group = new ApplyGroup(db);
        var position = 0L;
        foreach (var batch in states.Chunk(new LiblimProtocolLimits().BatchSize))
        {
            position += batch.Length;
            await group.ApplyAsync(new RemoteBatch(device, node, batch, position) { Scope = scope }, default);
        }

        await group.CommitAsync(default);
    }

    /// <summary>The machine's busy and total CPU time so far, from /proc/stat (Linux); null elsewhere.</summary>
    private static (long Busy, long Total)? CpuTimes()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
            var total = fields.Sum();
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static async Task TruncateAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"TRUNCATE \"{BenchDb.TableName}\", \"__liblim_rows\", \"__liblim_state\", \"__liblim_peers\", \"__liblim_nodes\", \"__liblim_peer_rows\"";
        await command.ExecuteNonQueryAsync();
    }
}
