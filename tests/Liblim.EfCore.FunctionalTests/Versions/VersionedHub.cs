using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Versions;

/// <summary>A hub: a <see cref="VersionedReplica"/> served by a real <see cref="LiblimServer"/> on a loopback port, restarted after its migration as a deployment would.</summary>
public sealed class VersionedHub : IAsyncDisposable
{
    public const string Secret = "versions-secret";

    private LiblimServer _server = null!;

    private VersionedHub(VersionedReplica replica) => Replica = replica;

    public VersionedReplica Replica { get; }

    public static async Task<VersionedHub> StartAsync(DatabaseKind database, int version, TimeProvider? time = null)
    {
        var hub = new VersionedHub(new VersionedReplica(database, "hub", version, time));
        await hub.ServeAsync();
        return hub;
    }

    /// <summary>Syncs a device with the hub over TCP, the device being the client.</summary>
    public async Task<SyncResult> SyncAsync(VersionedReplica device)
    {
        await using var db = device.Open();
        return await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{_server.Endpoint.Port}"), Secret);
    }

    /// <summary>Stops serving, migrates the hub's database to version 2, and serves it again with version 2 of the app.</summary>
    public async Task MigrateAsync()
    {
        await _server.DisposeAsync();
        Replica.MigrateToVersion2();
        await ServeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Replica.Dispose();
    }

    private async Task ServeAsync()
        => _server = await LiblimServer.StartAsync(new Factory(Replica), new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = Secret });

    private sealed class Factory(VersionedReplica replica) : IDbContextFactory<NotesDb>
    {
        public NotesDb CreateDbContext() => replica.Open();
    }
}
