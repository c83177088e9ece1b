using Liblim.EfCore.AspNetCore;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.FunctionalTests.Hub;

/// <summary>
/// An ASP.NET Core app on a real Kestrel on a loopback port, with JWT bearer authentication of its own, serving a replica's
/// database at <c>/liblim</c> (<c>AddLiblimHub</c>, <c>MapLiblim(...).RequireAuthorization()</c>).
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HubHost(WebApplication app, IReplica replica, Uri address, CapturedLog log)
    {
        _app = app;
        Replica = replica;
        Address = address;
        Log = log;
    }

    public IReplica Replica { get; }

    /// <summary>The hub's endpoint, <c>ws://127.0.0.1:port/liblim</c>.</summary>
    public Uri Address { get; }

    public LiblimHub<TodoDb> Hub => _app.Services.GetRequiredService<LiblimHub<TodoDb>>();

    /// <summary>What the app logged.</summary>
    public CapturedLog Log { get; }

    /// <param name="replica">The hub's database.</param>
    /// <param name="configure">The hub's options.</param>
    /// <param name="requireAuthorization">Whether the endpoint requires an authenticated user.</param>
    /// <param name="requiredScope">A value the token's <c>scope</c> claim must have, if any (an authorization policy of the app's).</param>
    public static async Task<HubHost> StartAsync(IReplica replica, Action<LiblimHubOptions>? configure = null, bool requireAuthorization = true, string? requiredScope = null)
    {
        var (app, address, log) = await StartAppAsync(new ReplicaFactory(replica), configure, requireAuthorization, requiredScope);
        return new HubHost(app, replica, address, log);
    }

    /// <summary>
    /// Starts the app for any replicated context: JWT bearer authentication with the test's key, <c>AddLiblimHub</c> with
    /// <paramref name="configure"/>, the hub at <c>/liblim</c>; returns the app, the hub's <c>ws://</c> address and the log.
    /// </summary>
    public static async Task<(WebApplication App, Uri Address, CapturedLog Log)> StartAppAsync<TContext>(
        IDbContextFactory<TContext> factory, Action<LiblimHubOptions>? configure = null, bool requireAuthorization = true, string? requiredScope = null)
        where TContext : DbContext
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var log = new CapturedLog();
        builder.Logging.ClearProviders().AddProvider(log);
        builder.Services.AddSingleton(factory);
        builder.Services.AddAuthentication().AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = TestTokens.Validation;
        });
        builder.Services.AddAuthorization(o => o.AddPolicy("sync", p => p.RequireAuthenticatedUser().RequireClaim("scope", requiredScope ?? "sync")));
        builder.Services.AddLiblimHub<TContext>(configure);
        builder.Services.AddHealthChecks().AddLiblim<TContext>();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health");
        var endpoint = app.MapLiblim<TContext>("/liblim");
        if (requiredScope is not null)
        {
            endpoint.RequireAuthorization("sync");
        }
        else if (requireAuthorization)
        {
            endpoint.RequireAuthorization();
        }

        await app.StartAsync();
        var http = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return (app, new Uri($"ws://127.0.0.1:{http.Port}/liblim"), log);
    }

    /// <summary>The app's health endpoint, <c>http://127.0.0.1:port/health</c>.</summary>
    public Uri Health => new($"http://127.0.0.1:{Address.Port}/health");

    /// <summary>Syncs a device with the hub once, presenting the token.</summary>
    public async Task<SyncResult> SyncAsync(IReplica device, string? token, string? secret = null)
    {
        await using var db = device.Open();
        return await db.Liblim().SyncWithAsync(Address, new LiblimClientOptions { AccessToken = token, Secret = secret });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
