using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>A replica on a real SQLite file, served by a real <see cref="LiblimServer"/> on a loopback port.</summary>
public sealed class TcpPeer : IAsyncDisposable
{
    public const string Secret = "tcp-test-secret";

    private TcpPeer(SqliteReplica replica, LiblimServer server)
    {
        Replica = replica;
        Server = server;
    }

    public SqliteReplica Replica { get; }

    public LiblimServer Server { get; }

    public Uri Address => new($"liblim://127.0.0.1:{Server.Endpoint.Port}");

    public static async Task<TcpPeer> StartAsync(string name, Func<LiblimServerOptions, LiblimServerOptions>? configure = null, Action<Liblim.EfCore.Infrastructure.LiblimOptionsBuilder>? liblim = null)
    {
        var replica = new SqliteReplica(name, liblim);
        var options = new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = Secret };
        var server = await LiblimServer.StartAsync(new ReplicaFactory(replica), configure?.Invoke(options) ?? options);
        return new TcpPeer(replica, server);
    }

    /// <summary>Syncs this peer, as a client, with another peer's server.</summary>
    public async Task<SyncResult> SyncWithAsync(TcpPeer server, IProgress<SyncProgress>? progress = null)
    {
        await using var db = Replica.Open();
        return await db.Liblim().SyncWithAsync(server.Address, Secret, progress);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Replica.Dispose();
    }

    public override string ToString() => Replica.Name;
}

/// <summary>Contexts on a replica's database, as an app's AddDbContextFactory would make them.</summary>
public sealed class ReplicaFactory(Func<TodoDb> open) : IDbContextFactory<TodoDb>
{
    public ReplicaFactory(IReplica replica)
        : this(replica.Open)
    {
    }

    public TodoDb CreateDbContext() => open();
}
