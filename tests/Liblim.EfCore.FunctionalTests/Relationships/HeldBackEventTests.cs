using System.Collections.Concurrent;
using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>A server reports the rows a peer's batch held back as it merges them.</summary>
public abstract class HeldBackEventTests : RelationSuite
{
    public sealed class OnSqlite : HeldBackEventTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : HeldBackEventTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    private sealed class Factory(RelationReplica replica) : IDbContextFactory<RelationDb>
    {
        public RelationDb CreateDbContext() => replica.Open();
    }

    [Fact]
    public async Task The_RowsChanged_event_lists_the_rows_held_back_with_the_reason()
    {
        using var client = NewRelationReplica("client");
        using var served = NewRelationReplica("served");
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await SaveAsync(served, db => db.Users.Add(new User { Id = first, Name = "cy" }));
        await SaveAsync(client, db => db.Users.Add(new User { Id = second, Name = "cy" }));
        var events = new ConcurrentQueue<RowsChangedEventArgs>();
        await using var server = await LiblimServer.StartAsync(new Factory(served), new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = TcpPeer.Secret });
        server.RowsChanged += (_, e) => events.Enqueue(e);

        await using (var db = client.Open())
        {
            var result = await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}"), TcpPeer.Secret);
            Assert.Equal(Key(second), Assert.Single(result.HeldBack).Key);
        }

        var held = Assert.Single(events.SelectMany(e => e.HeldBack));
        Assert.Equal((Key(second), HoldBackReason.UniqueConflict, Key(first), "User"), (held.Key, held.Reason, held.RelatedKey, held.EntityType));
        Assert.Contains(events.SelectMany(e => e.Rows), r => r.Key == Key(second) && r.Change == RowChange.HeldBack);
        Assert.Equal(await ShownAsync(client), await ShownAsync(served));
    }
}
