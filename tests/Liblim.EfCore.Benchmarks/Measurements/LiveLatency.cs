using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 5: two apps with <c>AddLiblimSync</c> on loopback, one listening, the other keeping a live session with
/// it. Each change is one SaveChanges on one peer (an update of one column of one row); its latency runs from just
/// before that SaveChanges until the other peer has committed it (its <c>RowsChanged</c> event, raised after the
/// commit), and the value is then read back there to check it. Changes go one at a time, in both directions.
/// The device reaches the hub through a byte-counting relay, so the bytes each change costs on the live session
/// are counted too (figure 3: a live session pays no greeting per change).
/// </summary>
internal static class LiveLatency
{
    private const int Rows = 1_000;

    public sealed record Result(string Direction, int Changes, double MedianMs, double P99Ms, double MaxMs, double SaveMedianMs, double BytesPerChange);

    /// <param name="changes">Changes each way.</param>
    /// <param name="webSocket">Whether the hub is an ASP.NET Core app the device reaches over a WebSocket, rather than a TCP server.</param>
    /// <param name="warmup">Changes each way before the measured ones.</param>
    /// <param name="earlierSync">
    /// Whether the device gets the hub's rows by a one-shot sync before its live session starts, so that no row has gone
    /// over the live connection before its change (each goes whole), rather than over the live session itself (each
    /// change then goes as a delta: docs/protocol.md section 5).
    /// </param>
    public static async Task<IReadOnlyList<Result>> MeasureAsync(int changes, bool webSocket = false, int warmup = 50, bool earlierSync = false)
    {
        var hubPath = SqliteFiles.CreateReplicated("live-hub");
        var devicePath = SqliteFiles.CreateReplicated("live-device");
        await TicketWrites.InsertAsync(() => new ReplicatedDb(SqliteFiles.ReplicatedOptions(hubPath)), 0, Rows);
        if (earlierSync)
        {
            await using var hubDb = new ReplicatedDb(SqliteFiles.ReplicatedOptions(hubPath));
            await using var deviceDb = new ReplicatedDb(SqliteFiles.ReplicatedOptions(devicePath));
            await deviceDb.Liblim().SyncWithAsync(hubDb);
        }

        try
        {
            await using var hub = webSocket ? await App.StartWebSocketHubAsync(hubPath) : await App.StartAsync(hubPath, listen: true);
            await using var relay = CountingProxy.Start(new IPEndPoint(IPAddress.Loopback, hub.Port));
            var address = webSocket ? new Uri($"ws://127.0.0.1:{relay.Address.Port}/liblim") : relay.Address;
            await using var device = await App.StartAsync(devicePath, listen: false, address);
            var deadline = Stopwatch.StartNew();
            while (!device.Service!.IsConnected(address) || await device.CountAsync() < Rows)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(2))
                {
                    throw new TimeoutException("The device did not connect to the hub and receive its rows within 2 minutes.");
                }

                await Task.Delay(20);
            }

            var over = (webSocket ? " over a WebSocket" : "") + (earlierSync ? ", rows from an earlier sync" : "");
            return
            [
                await RunAsync($"hub to device{over} (server pushes)", hub, device, relay, changes, warmup),
                await RunAsync($"device to hub{over} (client pushes)", device, hub, relay, changes, warmup),
            ];
        }
        finally
        {
            SqliteFiles.Delete(hubPath);
            SqliteFiles.Delete(devicePath);
        }
    }

    private static async Task<Result> RunAsync(string direction, App from, App to, CountingProxy relay, int changes, int warmup)
    {
        var latencies = new List<double>(changes);
        var saves = new List<double>(changes);
        for (var n = 0; n < warmup + changes; n++)
        {
            if (n == warmup)
            {
                await Task.Delay(200); // the warmup's last position updates, then count from here
                relay.Reset();
            }

            var i = n % Rows;
            var key = TicketGenerator.Key(i);
            var title = $"{direction} change {n}";
            var arrived = to.Expect(key);
            await using (var db = from.Open())
            {
                var ticket = await db.Tickets.SingleAsync(t => t.Id == key);
                ticket.Title = title;
                var started = Stopwatch.GetTimestamp();
                await db.SaveChangesAsync();
                var saved = Stopwatch.GetElapsedTime(started);
                var at = await arrived.WaitAsync(TimeSpan.FromSeconds(30));
                if (n >= warmup)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
                    saves.Add(saved.TotalMilliseconds);
                }
            }

            await using var check = to.Open();
            var seen = await check.Tickets.AsNoTracking().Where(t => t.Id == key).Select(t => t.Title).SingleAsync();
            if (seen != title)
            {
                throw new InvalidOperationException($"Change {n} was reported but reads '{seen}', not '{title}'.");
            }
        }

        await Task.Delay(200); // the last change's position update from the peer
        var bytes = relay.ToServer + relay.ToClient;
        latencies.Sort();
        saves.Sort();
        return new Result(direction, changes, Percentile(latencies, 0.5), Percentile(latencies, 0.99), latencies[^1], Percentile(saves, 0.5), (double)bytes / changes);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>
    /// An app's service container with AddDbContextFactory and AddLiblimSync, started as a host would; or an ASP.NET Core app
    /// serving the database as a hub over WebSockets.
    /// </summary>
    private sealed class App : IAsyncDisposable
    {
        private readonly ServiceProvider? _services;
        private readonly WebSocketHub? _hub;
        private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _waiting = new();
        private readonly DbContextOptions<ReplicatedDb> _options;

        private App(ServiceProvider services, DbContextOptions<ReplicatedDb> options)
        {
            _services = services;
            _options = options;
            Service = services.GetRequiredService<LiblimSyncService<ReplicatedDb>>();
            Service.RowsChanged += Committed;
        }

        private App(WebSocketHub hub, DbContextOptions<ReplicatedDb> options)
        {
            _hub = hub;
            _options = options;
            hub.Hub.RowsChanged += Committed;
        }

        /// <summary>The sync service; null for a WebSocket hub.</summary>
        public LiblimSyncService<ReplicatedDb>? Service { get; }

        /// <summary>The port peers connect to.</summary>
        public int Port => _hub?.Port ?? Service!.Server!.Endpoint.Port;

        public static async Task<App> StartWebSocketHubAsync(string path)
        {
            var options = SqliteFiles.ReplicatedOptions(path);
            return new App(await WebSocketHub.StartAsync(options), options);
        }

        public static async Task<App> StartAsync(string path, bool listen, params Uri?[] peers)
        {
            var options = SqliteFiles.ReplicatedOptions(path);
            var services = new ServiceCollection();
            services.AddSingleton<IDbContextFactory<ReplicatedDb>>(new ReplicaFactory(options));
            services.AddLiblimSync<ReplicatedDb>(o =>
            {
                o.Secret = BenchmarkSettings.Secret;
                o.Listen = listen ? new IPEndPoint(IPAddress.Loopback, 0) : null;
                o.ReconnectDelay = TimeSpan.FromMilliseconds(100);
                o.MaxReconnectDelay = TimeSpan.FromMilliseconds(400);
                foreach (var peer in peers)
                {
                    o.Peers.Add(peer!);
                }
            });
            var provider = services.BuildServiceProvider();
            var app = new App(provider, options);
            foreach (var hosted in provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }

            return app;
        }

        public ReplicatedDb Open() => new(_options);

        public async Task<int> CountAsync()
        {
            await using var db = Open();
            return await db.Tickets.CountAsync();
        }

        private void Committed(object? sender, RowsChangedEventArgs e)
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var row in e.Rows)
            {
                if (_waiting.TryRemove(row.Key, out var waiter))
                {
                    waiter.TrySetResult(now);
                }
            }
        }

        /// <summary>Completes with the timestamp at which a change of the row was committed here.</summary>
        public Task<long> Expect(Guid key)
        {
            var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[$"[\"{key:D}\"]"] = waiter;
            return waiter.Task;
        }

        public async ValueTask DisposeAsync()
        {
            if (_hub is not null)
            {
                await _hub.DisposeAsync();
                return;
            }

            var services = _services!;
            foreach (var hosted in services.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await services.DisposeAsync();
        }
    }
}
