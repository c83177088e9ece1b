using System.Diagnostics;
using System.Globalization;
using System.Net;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 7: peak memory of the serving side and of the receiving side of a sync, each in a process of its own
/// (this program, started again with <see cref="Command"/>), so that neither's memory counts for the other.
/// Each process samples its managed heap (<c>GC.GetTotalMemory(false)</c>: live objects plus garbage not yet
/// collected) every millisecond while the sync runs, and reports the peak, its peak resident set (VmHWM) and
/// what it allocated in total.
/// </summary>
internal static class MemoryChild
{
    public const string Command = "memory-child";

    public sealed record Peak(long ManagedBytes, long ResidentBytes, long AllocatedBytes)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"PEAK {ManagedBytes} {ResidentBytes} {AllocatedBytes}");

        public static Peak? Parse(string? line)
        {
            var parts = line?.Split(' ');
            return parts is ["PEAK", var m, var r, var a] ? new Peak(long.Parse(m, CultureInfo.InvariantCulture), long.Parse(r, CultureInfo.InvariantCulture), long.Parse(a, CultureInfo.InvariantCulture)) : null;
        }
    }

    /// <param name="Rows">The rows synced.</param>
    /// <param name="Serving">The serving side's peaks.</param>
    /// <param name="Receiving">The receiving side's peaks.</param>
    /// <param name="HeapLimit">The GC heap hard limit both ran with, if any.</param>
    /// <param name="Elapsed">How long the receiving side's SyncWithAsync took.</param>
    /// <param name="Target">Where the rows went: SQLite or PostgreSQL.</param>
    public sealed record Result(int Rows, Peak Serving, Peak Receiving, string? HeapLimit, TimeSpan Elapsed, string Target);

    /// <summary>
    /// Serves <paramref name="sourcePath"/> from one child process and syncs an empty replica from it in another.
    /// With <paramref name="heapLimit"/> (e.g. <c>0xC800000</c> for 200 MiB), both run with that GC heap hard limit:
    /// they fail with an OutOfMemoryException if the sync needs more.
    /// </summary>
    /// <param name="sourcePath">The SQLite file served.</param>
    /// <param name="rows">Its rows.</param>
    /// <param name="heapLimit">A GC heap hard limit for both, or null.</param>
    /// <param name="postgresTarget">A PostgreSQL database (with the replicated model) to receive into; null for a new SQLite file.</param>
    public static async Task<Result> MeasureAsync(string sourcePath, int rows, string? heapLimit, string? postgresTarget = null)
    {
        var target = postgresTarget ?? SqliteFiles.CreateReplicated($"memory-target-{rows}");
        try
        {
            using var server = Start(["serve", sourcePath], heapLimit);
            var portLine = await server.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The serving process ended: " + await server.StandardError.ReadToEndAsync());
            var port = portLine.Split(' ')[1];
            using var client = Start([postgresTarget is null ? "receive" : "receive-pg", target, port, rows.ToString(CultureInfo.InvariantCulture)], heapLimit);
            var clientOutput = await client.StandardOutput.ReadToEndAsync();
            var clientError = await client.StandardError.ReadToEndAsync();
            await client.WaitForExitAsync();
            await server.StandardInput.WriteLineAsync("stop");
            await server.StandardInput.FlushAsync();
            var serverOutput = await server.StandardOutput.ReadToEndAsync();
            var serverError = await server.StandardError.ReadToEndAsync();
            await server.WaitForExitAsync();
            var receiving = Peak.Parse(clientOutput.Split('\n').FirstOrDefault(l => l.StartsWith("PEAK", StringComparison.Ordinal)))
                ?? throw new InvalidOperationException($"The receiving process failed (exit {client.ExitCode}): {clientOutput} {clientError}");
            var serving = Peak.Parse(serverOutput.Split('\n').FirstOrDefault(l => l.StartsWith("PEAK", StringComparison.Ordinal)))
                ?? throw new InvalidOperationException($"The serving process failed (exit {server.ExitCode}): {serverOutput} {serverError}");
            var elapsed = clientOutput.Split('\n').FirstOrDefault(l => l.StartsWith("ELAPSED ", StringComparison.Ordinal)) is { } line
                ? TimeSpan.FromMilliseconds(double.Parse(line[8..], CultureInfo.InvariantCulture))
                : throw new InvalidOperationException($"The receiving process gave no time: {clientOutput}");
            return new Result(rows, serving, receiving, heapLimit, elapsed, postgresTarget is null ? "SQLite" : "PostgreSQL");
        }
        finally
        {
            if (postgresTarget is null)
            {
                SqliteFiles.Delete(target);
            }
        }
    }

    /// <summary>
    /// The baseline: the peak memory of a process that writes <paramref name="rows"/> rows into an empty SQLite file through
    /// plain EF Core (no Liblim), 1,000 per SaveChanges, as the receiving side of a sync writes them.
    /// </summary>
    public static async Task<Peak> MeasurePlainAsync(int rows)
    {
        var path = SqliteFiles.CreatePlain($"memory-plain-{rows}");
        try
        {
            using var child = Start(["plain", path, rows.ToString(CultureInfo.InvariantCulture)], null);
            var output = await child.StandardOutput.ReadToEndAsync();
            var error = await child.StandardError.ReadToEndAsync();
            await child.WaitForExitAsync();
            return Peak.Parse(output.Split('\n').FirstOrDefault(l => l.StartsWith("PEAK", StringComparison.Ordinal)))
                ?? throw new InvalidOperationException($"The plain EF Core process failed (exit {child.ExitCode}): {output} {error}");
        }
        finally
        {
            SqliteFiles.Delete(path);
        }
    }

    /// <summary>The child side: <c>serve DB</c>, <c>receive DB PORT ROWS</c> (SQLite), <c>receive-pg CONNECTION-STRING PORT ROWS</c> or <c>plain DB ROWS</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var sampler = new Sampler();
        switch (args)
        {
            case ["serve", var path]:
            {
                await using var server = await LiblimServer.StartAsync(ReplicaFactory.ForSqlite(path),
                    new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = BenchmarkSettings.Secret });
                GC.Collect();
                sampler.Start();
                Console.WriteLine($"PORT {server.Endpoint.Port}");
                await Console.In.ReadLineAsync();
                Console.WriteLine(sampler.Stop());
                return 0;
            }

            case ["receive" or "receive-pg", var target, var port, var rows]:
            {
                await using var db = new ReplicatedDb(args[0] == "receive" ? SqliteFiles.ReplicatedOptions(target) : PostgresInstance.ReplicatedOptions(target));
                _ = await db.Liblim().GetNodeIdAsync(); // the model and connection are ready before sampling starts
                GC.Collect();
                sampler.Start();
                var watch = Stopwatch.StartNew();
                var result = await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{port}"), BenchmarkSettings.Secret);
                var elapsed = watch.Elapsed;
                Console.WriteLine(sampler.Stop());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ELAPSED {elapsed.TotalMilliseconds:0}"));
                return result.RowsApplied == int.Parse(rows, CultureInfo.InvariantCulture) ? 0 : 2;
            }

            case ["plain", var path, var rows]:
            {
                await using (var warm = new PlainDb(SqliteFiles.PlainOptions(path)))
                {
                    _ = await warm.Tickets.CountAsync(); // the model and connection are ready before sampling starts
                }

                GC.Collect();
                sampler.Start();
                var count = int.Parse(rows, CultureInfo.InvariantCulture);
                for (var from = 0; from < count; from += 1000)
                {
                    await using var db = new PlainDb(SqliteFiles.PlainOptions(path));
                    db.Tickets.AddRange(TicketGenerator.Range(from, Math.Min(count, from + 1000)));
                    await db.SaveChangesAsync();
                }

                Console.WriteLine(sampler.Stop());
                return 0;
            }

            default:
                await Console.Error.WriteLineAsync($"{Command} serve DB | receive DB PORT ROWS | receive-pg CONNECTION-STRING PORT ROWS | plain DB ROWS");
                return 1;
        }
    }

    private static Process Start(string[] arguments, string? heapLimit) => ChildProcess.Start(Command, arguments, heapLimit);

    private sealed class Sampler
    {
        private Thread? _thread;
        private volatile bool _stop;
        private long _peak;
        private long _allocatedBefore;

        public void Start()
        {
            _allocatedBefore = GC.GetTotalAllocatedBytes();
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    _peak = Math.Max(_peak, GC.GetTotalMemory(false));
                    Thread.Sleep(1);
                }
            }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
            _thread.Start();
        }

        public Peak Stop()
        {
            _stop = true;
            _thread!.Join();
            _peak = Math.Max(_peak, GC.GetTotalMemory(false));
            return new Peak(_peak, ResidentPeak(), GC.GetTotalAllocatedBytes() - _allocatedBefore);
        }

        private static long ResidentPeak()
        {
            var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
            return line is null
                ? Process.GetCurrentProcess().PeakWorkingSet64
                : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }
}
