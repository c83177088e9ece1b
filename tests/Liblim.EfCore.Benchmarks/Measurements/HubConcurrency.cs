using System.Diagnostics;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Sync.Internal;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 8: how fast a PostgreSQL hub database takes peers' batches when several are applied at once, as several
/// devices syncing with one hub (or several hub processes) apply theirs: the same rows (the source's feed, each row
/// once) split among 1, 2 or 4 appliers, each on a context of its own applying its share as a sync does (batches of
/// 1,000, committed once a second by default, or after every batch). Every write of a replicated row takes the lock of
/// the state row, which hands out feed positions and the clock, and holds it until its transaction commits, so the
/// appliers take turns; the figure shows what that costs against one applier.
/// </summary>
internal static class HubConcurrency
{
    /// <param name="Appliers">How many applied at once.</param>
    /// <param name="Rows">The rows applied, in all.</param>
    /// <param name="Elapsed">How long, from the first batch to the last commit.</param>
    /// <param name="MachineBusy">The share of the machine's CPU time that was busy meanwhile (PostgreSQL's too); null where not known.</param>
    /// <param name="CommitInterval">The appliers' <c>SyncCommitInterval</c>.</param>
    public sealed record Result(int Appliers, int Rows, TimeSpan Elapsed, double? MachineBusy, TimeSpan CommitInterval)
    {
        public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
    }

    public static async Task<List<Result>> MeasureAsync(PostgresInstance postgres, string source, int[] appliers, TimeSpan[] commitIntervals)
    {
        var states = RemoteBatches.Read(source).SelectMany(b => b.States).ToList();
        var database = postgres.CreateDatabase();
        await using (var db = new ReplicatedDb(PostgresInstance.ReplicatedOptions(database)))
        {
            await db.Database.EnsureCreatedAsync();
        }

        await TruncateAsync(database);
        await ApplyAsync(database, states, "warm-up", commitIntervals[0]); // the code paths compiled before anything is timed

        // Each configuration three times, in turn, so that a slow spell of the machine does not fall on one alone; the median is kept.
        var runs = commitIntervals.SelectMany(i => appliers.Select(n => (n, i))).ToList();
        var measured = runs.ToDictionary(r => r, _ => new List<Result>());
        for (var repetition = 0; repetition < 3; repetition++)
        {
            foreach (var (n, interval) in runs)
            {
                measured[(n, interval)].Add(await RunAsync(database, states, n, interval));
            }
        }

        return [.. runs.Select(r => measured[r].OrderBy(m => m.Elapsed).ElementAt(1))];
    }

    /// <summary>The rows applied by <paramref name="n"/> appliers at once, from empty tables.</summary>
    private static async Task<Result> RunAsync(string database, List<Crdt.RowState> states, int n, TimeSpan interval)
    {
        await TruncateAsync(database);
        var shares = Enumerable.Range(0, n).Select(i => states.Where((_, s) => s % n == i).ToList()).ToList();
        var before = CpuTimes();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(shares.Select((share, i) => Task.Run(() => ApplyAsync(database, share, $"device-{i}", interval))));
        var elapsed = watch.Elapsed;
        var after = CpuTimes();
        await using var check = new ReplicatedDb(PostgresInstance.ReplicatedOptions(database));
        var stored = await check.Tickets.CountAsync();
        if (stored != states.Count)
        {
            throw new InvalidOperationException($"{n} appliers stored {stored} rows of {states.Count}.");
        }

        return new Result(n, states.Count, elapsed,
            before is { } b && after is { } a && a.Total > b.Total ? (double)(a.Busy - b.Busy) / (a.Total - b.Total) : null, interval);
    }

    /// <summary>Applies one device's rows as a sync with it would: batches of 1,000 in apply groups.</summary>
    private static async Task ApplyAsync(string database, List<Crdt.RowState> states, string device, TimeSpan commitInterval)
    {
        var node = Guid.NewGuid();
        await using var db = new ReplicatedDb(new DbContextOptionsBuilder<ReplicatedDb>().UseNpgsql(database).UseLiblim(o => o.SyncCommitInterval(commitInterval)).Options);
        await using var group = new ApplyGroup(db);
        var position = 0L;
        foreach (var batch in states.Chunk(1_000))
        {
            position += batch.Length;
            await group.ApplyAsync(new RemoteBatch(device, node, batch, position), default);
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
        command.CommandText = $"TRUNCATE \"{BenchDb.TableName}\", \"__liblim_rows\", \"__liblim_state\", \"__liblim_peers\", \"__liblim_nodes\"";
        await command.ExecuteNonQueryAsync();
    }
}
