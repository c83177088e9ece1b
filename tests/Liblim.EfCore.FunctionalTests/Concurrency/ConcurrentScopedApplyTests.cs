using System.Security.Claims;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Scopes.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using static Liblim.EfCore.FunctionalTests.Concurrency.ConcurrentHub;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Concurrency;

/// <summary>
/// A multi-user hub on PostgreSQL applies the batches of peers it serves by scope concurrently too, as long as a peer may
/// write all of its batch; and what each peer may write is decided as if the batches had been applied one after the
/// other: no peer takes a row it could not take in turn. Each user here sees the items whose notes name them.
/// </summary>
public class ConcurrentScopedApplyTests
{
    private static readonly LiblimScopes Rules = new LiblimScopes().Scope<TodoItem>((item, peer) => item.Notes == peer.Claim("user"));

    [Fact]
    public async Task Two_users_batches_apply_at_once()
    {
        using var hub = await CaughtUpHubAsync();
        using var ann = new SqliteReplica("ann");
        using var bob = new SqliteReplica("bob");
        var (sinceAnn, sinceBob) = (await KnownAsync(ann, hub), await KnownAsync(bob, hub));
        await InsertAsync(ann, new TodoItem { Id = Guid.NewGuid(), Title = "ann's", Notes = "ann" });
        await InsertAsync(bob, new TodoItem { Id = Guid.NewGuid(), Title = "bob's", Notes = "bob" });

        await using var first = Group(hub);
        var applied = await first.ApplyAsync(await ScopedBatchOfAsync(ann, sinceAnn), default); // applied, not committed
        await using (var second = Group(hub))
        {
            // Under one lock for all writers this would wait for the first group's commit.
            await second.ApplyAsync(await ScopedBatchOfAsync(bob, sinceBob), default).WaitAsync(Blocked);
            await second.CommitAsync(default).WaitAsync(Blocked);
        }

        Assert.Equal(["ann before", "bob before", "bob's"], Titles(hub));
        await first.CommitAsync(default);
        Assert.Equal((1, 0), (applied.Applied, applied.Refused.Count));
        Assert.Equal(["ann before", "ann's", "bob before", "bob's"], Titles(hub));
    }

    [Fact]
    public async Task A_batch_with_a_refused_write_waits_for_the_concurrent_groups_and_is_answered_with_the_hubs_row()
    {
        using var hub = await CaughtUpHubAsync();
        using var ann = new SqliteReplica("ann");
        using var bob = new SqliteReplica("bob");
        var (sinceAnn, sinceBob) = (await KnownAsync(ann, hub), await KnownAsync(bob, hub));
        var list = Guid.NewGuid();
        await InsertAsync(ann, new TodoItem { Id = list, Title = "ann's list", Notes = "ann" });
        await SyncAsync(ann, hub);
        sinceAnn = await HeadAsync(ann);
        await EditAsync(ann, list, i => i.Notes = "bob"); // out of her scope: she may not give it away
        await InsertAsync(ann, new TodoItem { Id = Guid.NewGuid(), Title = "ann's new", Notes = "ann" });
        await InsertAsync(bob, new TodoItem { Id = Guid.NewGuid(), Title = "bob's", Notes = "bob" });

        await using var bobs = Group(hub);
        await bobs.ApplyAsync(await ScopedBatchOfAsync(bob, sinceBob), default); // a concurrent group, still open
        await using var anns = Group(hub);
        var applying = anns.ApplyAsync(await ScopedBatchOfAsync(ann, sinceAnn), default);
        await WaitUntilWaitingAsync(hub); // her batch goes again under the lock, which waits for bob's group
        Assert.False(applying.IsCompleted);
        await bobs.CommitAsync(default);
        var result = await applying.WaitAsync(Blocked);
        await anns.CommitAsync(default);

        Assert.Equal([list], result.Refused.Select(r => Guid.Parse(r.Key.Trim('[', ']', '"'))));
        Assert.Equal(["ann before", "ann's list", "ann's new", "bob before", "bob's"], Titles(hub));
        Assert.Equal("ann", Find(hub, list)!.Notes);
        await SyncAsync(ann, hub); // the hub's answer, stamped under the lock, wins over her write
        Assert.Equal("ann", Find(ann, list)!.Notes);
    }

    [Fact]
    public async Task A_key_two_users_insert_at_once_goes_to_the_first_and_the_second_is_refused_as_in_turn()
    {
        using var hub = await CaughtUpHubAsync();
        using var ann = new SqliteReplica("ann");
        using var bob = new SqliteReplica("bob");
        var (sinceAnn, sinceBob) = (await KnownAsync(ann, hub), await KnownAsync(bob, hub));
        var key = Guid.NewGuid();
        await InsertAsync(ann, new TodoItem { Id = key, Title = "ann's", Notes = "ann" });
        await InsertAsync(bob, new TodoItem { Id = key, Title = "bob's", Notes = "bob" }); // later: it would win a merge

        await using var anns = Group(hub);
        await anns.ApplyAsync(await ScopedBatchOfAsync(ann, sinceAnn), default);
        await using var bobs = Group(hub);
        var applying = bobs.ApplyAsync(await ScopedBatchOfAsync(bob, sinceBob), default);
        await WaitUntilWaitingAsync(hub); // his insert of the key waits for hers
        await anns.CommitAsync(default);
        var result = await applying.WaitAsync(Blocked);
        await bobs.CommitAsync(default);

        // Applied after hers, his write meets her row, which is not in his scope: refused, as it would be in turn.
        Assert.Single(result.Refused);
        var item = Find(hub, key)!;
        Assert.Equal(("ann's", "ann"), (item.Title, item.Notes));
    }

    [Fact]
    public async Task A_row_a_scoped_write_was_judged_on_stays_as_judged_until_the_write_ends()
    {
        using var hub = await CaughtUpHubAsync();
        using var ann = new SqliteReplica("ann");
        using var admin = new SqliteReplica("admin");
        var list = Guid.NewGuid();
        await InsertAsync(ann, new TodoItem { Id = list, Title = "ann's list", Notes = "ann" });
        await SyncAsync(ann, hub);
        await SyncAsync(admin, hub);
        var (sinceAnn, sinceAdmin) = (await HeadAsync(ann), await HeadAsync(admin));
        await EditAsync(ann, list, i => i.Title = "renamed by ann");
        await EditAsync(admin, list, i => i.Notes = "bob"); // the admin gives her list to bob
        var (fromAnn, fromAdmin) = (await ScopedBatchOfAsync(ann, sinceAnn), await BatchOfAsync(admin, sinceAdmin));

        await using (var db = hub.Open())
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            var session = db.GetService<StoreSession>();
            await session.Shadow.EnterConcurrentApplyAsync(async: true, default);
            var check = await WriteCheck.BeforeAsync(db, fromAnn.Scope!, fromAnn.States, default);
            Assert.Empty(check.Refused); // judged in her scope

            // Were the admin's change to pass now, her write would be merged into a row she may no longer write.
            await using var admins = Group(hub);
            var moving = admins.ApplyAsync(fromAdmin, default);
            await WaitUntilWaitingAsync(hub);
            Assert.False(moving.IsCompleted);
            await transaction.RollbackAsync();
            await moving.WaitAsync(Blocked);
            await admins.CommitAsync(default);
        }

        Assert.Equal("bob", Find(hub, list)!.Notes);
    }

    /// <summary>A peer's feed after <paramref name="since"/>, as a batch of it arrives at a hub that serves the peer as the user of its name.</summary>
    private static async Task<RemoteBatch> ScopedBatchOfAsync(IReplica peer, long since)
    {
        var batch = await BatchOfAsync(peer, since);
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("user", peer.Name)], "test"));
        return batch with { Scope = PeerScope.For(Rules, new LiblimPeer(batch.PeerNode, user, null)) };
    }

    private static async Task<long> HeadAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return (await db.Liblim().GetStatusAsync()).Head;
    }
}
