using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Errors;

/// <summary>
/// A database without a table Liblim needs (replication turned on, or Liblim upgraded, without a migration): a
/// SaveChanges and a sync fail with <see cref="DatabaseNotSetUpException"/>, which names what is missing and the fix, and
/// nothing is written; a server tells its peer that its own database is not set up.
/// </summary>
public abstract class DatabaseNotSetUpTests : ReplicaSuite
{
    public sealed class OnSqlite : DatabaseNotSetUpTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : DatabaseNotSetUpTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task Without_Liblims_tables_a_SaveChanges_and_a_sync_fail_naming_what_is_missing_and_the_fix()
    {
        using var replica = NewReplica("not-set-up");
        using var peer = NewReplica("set-up");
        await using (var db = replica.Open())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE __liblim_state");
        }

        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "not recorded, not written" });
            var saving = Assert.IsType<DatabaseNotSetUpException>(Innermost(await Assert.ThrowsAnyAsync<Exception>(() => db.SaveChangesAsync())));
            Assert.Contains("__liblim_state", saving.Missing);
            Assert.Contains("migrations add", saving.Message);
        }

        var syncing = await Assert.ThrowsAnyAsync<Exception>(() => Replicas.SyncAsync(replica, peer));
        Assert.Contains("__liblim_state", Assert.IsType<DatabaseNotSetUpException>(Innermost(syncing)).Missing);
        Assert.Empty(Replicas.All(replica));
        Assert.Empty(Replicas.All(peer));
    }

    /// <summary>The exception at the bottom of a chain of inner ones up to Liblim's: EF wraps errors of its interceptors' commands.</summary>
    private static Exception Innermost(Exception e) => e is LiblimException || e.InnerException is null ? e : Innermost(e.InnerException);
}

/// <summary>Over TCP, a server whose database is not set up tells the client so, not "its log says why".</summary>
public class DatabaseNotSetUpServerTests
{
    [Fact]
    public async Task A_server_whose_database_is_not_set_up_tells_its_peer_so()
    {
        await using var server = await TcpPeer.StartAsync("not-set-up-server");
        using var client = new SqliteReplica("client-of-not-set-up");
        await using (var db = server.Replica.Open())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE __liblim_peers");
        }

        await using var clientDb = client.Open();
        var error = await Assert.ThrowsAsync<ProtocolException>(() => clientDb.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret));

        Assert.True(error.FromPeer);
        Assert.Equal(ProtocolErrorCode.Internal, error.Code);
        Assert.Contains("The database here is not set up for replication", error.Message);
    }
}
