using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>An app's service container with AddDbContextFactory and AddLiblimSync, started as a host would.</summary>
public sealed class SyncHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly bool _ownsReplica;

    private SyncHost(SqliteReplica replica, ServiceProvider services, bool ownsReplica, CapturedLog log)
    {
        Replica = replica;
        Log = log;
        _services = services;
        _ownsReplica = ownsReplica;
        Service = services.GetRequiredService<LiblimSyncService<TodoDb>>();
    }

    public SqliteReplica Replica { get; }

    public LiblimSyncService<TodoDb> Service { get; }

    /// <summary>What the host's services logged.</summary>
    public CapturedLog Log { get; }

    /// <summary>How many sessions with the peer (or attempts to open one) the sync service reported as failed.</summary>
    public int FailedAttempts(Uri peer)
        => Log.Count("Liblim.EfCore.LiblimSyncService", LogLevel.Warning, $"Live sync with {peer} failed")
           + Log.Count("Liblim.EfCore.LiblimSyncService", LogLevel.Warning, $"Live sync with {peer} still failing")
           + Log.Count("Liblim.EfCore.LiblimSyncService", LogLevel.Debug, $"Live sync with {peer} failed again");

    public Uri Address => new($"liblim://127.0.0.1:{Service.Server!.Endpoint.Port}");

    /// <summary>What the app's health checks report now.</summary>
    public Task<HealthReport> HealthAsync() => _services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    public static Task<SyncHost> StartAsync(string name, bool listen, int port = 0, params Uri[] peers)
        => StartAsync(new SqliteReplica(name), ownsReplica: true, listen, port, peers);

    /// <summary>A host on a replica of its own, with options of the test's on top of the usual ones.</summary>
    public static Task<SyncHost> StartAsync(string name, bool listen, Action<LiblimSyncOptions> configure, params Uri[] peers)
        => StartAsync(new SqliteReplica(name), ownsReplica: true, listen, port: 0, peers, configure);

    /// <summary>A host on a replica the test keeps (it stays when the host stops), syncing live with the peers.</summary>
    public static Task<SyncHost> StartOnAsync(SqliteReplica replica, params Uri[] peers)
        => StartAsync(replica, ownsReplica: false, listen: false, port: 0, peers);

    /// <summary>A host on a replica the test keeps, with options of the test's on top of the usual ones.</summary>
    public static Task<SyncHost> StartOnAsync(SqliteReplica replica, Action<LiblimSyncOptions> configure, params Uri[] peers)
        => StartAsync(replica, ownsReplica: false, listen: false, port: 0, peers, configure);

    private static async Task<SyncHost> StartAsync(SqliteReplica replica, bool ownsReplica, bool listen, int port, Uri[] peers, Action<LiblimSyncOptions>? configure = null)
    {
        var log = new CapturedLog();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(log).SetMinimumLevel(LogLevel.Debug));
        services.AddDbContextFactory<TodoDb>(o => o.UseSqlite($"Data Source={replica.Path}").UseLiblim(replica.Configure));
        services.AddHealthChecks().AddLiblim<TodoDb>();
        services.AddLiblimSync<TodoDb>(o =>
        {
            o.Secret = TcpPeer.Secret;
            o.Listen = listen ? new IPEndPoint(IPAddress.Loopback, port) : null;
            o.ReconnectDelay = TimeSpan.FromMilliseconds(100);
            o.MaxReconnectDelay = TimeSpan.FromMilliseconds(400);
            foreach (var peer in peers)
            {
                o.Peers.Add(peer);
            }

            configure?.Invoke(o);
        });
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return new SyncHost(replica, provider, ownsReplica, log);
    }

    /// <summary>Waits until the condition holds; fails after a generous deadline (this is not a speed test).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
        if (_ownsReplica)
        {
            Replica.Dispose();
        }
    }
}
