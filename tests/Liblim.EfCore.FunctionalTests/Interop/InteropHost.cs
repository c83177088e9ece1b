using System.Net;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>An app's services with AddDbContextFactory and AddLiblimSync on an <see cref="InteropReplica"/>, started as a host would: C#'s live sync.</summary>
public sealed class InteropHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private InteropHost(ServiceProvider services, CapturedLog log)
    {
        _services = services;
        Log = log;
        Service = services.GetRequiredService<LiblimSyncService<InteropDb>>();
    }

    public LiblimSyncService<InteropDb> Service { get; }

    public CapturedLog Log { get; }

    /// <summary>The address it listens on, when it listens.</summary>
    public Uri Address => new($"liblim://127.0.0.1:{Service.Server!.Endpoint.Port}");

    /// <param name="replica">The replica it syncs.</param>
    /// <param name="listen">Whether it serves peers on a loopback port.</param>
    /// <param name="peers">Servers it keeps a live session with.</param>
    public static async Task<InteropHost> StartAsync(InteropReplica replica, bool listen, params Uri[] peers)
    {
        var log = new CapturedLog();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(log).SetMinimumLevel(LogLevel.Debug));
        services.AddDbContextFactory<InteropDb>(o => o.UseSqlite($"Data Source={replica.Path}").UseLiblim());
        services.AddLiblimSync<InteropDb>(o =>
        {
            o.Secret = OneShotScenario.Secret;
            o.Listen = listen ? new IPEndPoint(IPAddress.Loopback, 0) : null;
            o.PollInterval = TimeSpan.FromMilliseconds(50);
            o.ReconnectDelay = TimeSpan.FromMilliseconds(100);
            o.MaxReconnectDelay = TimeSpan.FromMilliseconds(400);
            foreach (var peer in peers)
            {
                o.Peers.Add(peer);
            }
        });
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return new InteropHost(provider, log);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
    }
}
