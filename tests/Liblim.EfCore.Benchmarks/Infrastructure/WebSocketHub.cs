using Liblim.EfCore.AspNetCore;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// An ASP.NET Core app on a real Kestrel on a loopback port serving a SQLite file at <c>/liblim</c> over WebSockets
/// (<c>AddLiblimHub</c>, <c>MapLiblim</c>), its peers proving the benchmarks' shared secret in the greeting.
/// </summary>
public sealed class WebSocketHub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebSocketHub(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public Uri Address => new($"ws://127.0.0.1:{Port}/liblim");

    public LiblimHub<ReplicatedDb> Hub => _app.Services.GetRequiredService<LiblimHub<ReplicatedDb>>();

    public static async Task<WebSocketHub> StartAsync(DbContextOptions<ReplicatedDb> options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IDbContextFactory<ReplicatedDb>>(new ReplicaFactory(options));
        builder.Services.AddLiblimHub<ReplicatedDb>(o => o.Secret = BenchmarkSettings.Secret);
        var app = builder.Build();
        app.MapLiblim<ReplicatedDb>("/liblim");
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new WebSocketHub(app, address.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
