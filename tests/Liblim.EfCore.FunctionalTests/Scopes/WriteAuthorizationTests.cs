using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Liblim.EfCore.FunctionalTests.Scopes;

/// <summary>
/// A shop's device writes what its scope allows and what it does not, in one sync: the hub applies the first, never the
/// second, and answers each refused write with its own row, so that the device, and every other replica, shows the hub's.
/// </summary>
public sealed class WriteAuthorizationTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite, false)]
    [InlineData(DatabaseKind.Postgres, false)]
    [InlineData(DatabaseKind.Postgres, true)]
    public async Task The_hub_applies_the_writes_a_shop_may_make_refuses_the_others_and_the_shop_ends_up_with_the_hubs_rows(DatabaseKind hubDatabase, bool overWebSockets)
    {
        await using var shops = await ShopHub.StartAsync(hubDatabase, overWebSockets);
        var bread = new Product { Id = Guid.NewGuid(), Name = "bread" };
        var own = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Alice" };
        var leaving = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Anna" };
        var movedAway = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Arthur" };
        await shops.AtHubAsync(db =>
        {
            db.Products.Add(bread);
            db.Orders.AddRange(own, leaving, movedAway);
        });
        await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);
        await shops.AtHubAsync(async db => (await db.Orders.SingleAsync(o => o.Id == movedAway.Id)).ShopId = "b");

        // Offline, shop A: one allowed edit, and five writes its scope does not allow.
        var foreign = new ShopOrder { Id = Guid.NewGuid(), ShopId = "b", Customer = "slipped into shop B" };
        var note = new StaffNote { Id = Guid.NewGuid(), Text = "not for shops" };
        await using (var db = shops.A.Open())
        {
            (await db.Orders.SingleAsync(o => o.Id == own.Id)).Customer = "Alice Smith";      // allowed
            (await db.Orders.SingleAsync(o => o.Id == leaving.Id)).ShopId = "b";              // would leave its scope
            db.Orders.Remove(await db.Orders.SingleAsync(o => o.Id == movedAway.Id));          // not its order any more
            (await db.Products.SingleAsync(p => p.Id == bread.Id)).Name = "cake";             // read-only
            db.Orders.Add(foreign);                                                            // outside its scope
            db.Notes.Add(note);                                                                // no rule
            await db.SaveChangesAsync();
        }

        var result = await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);

        // Shop A's app is told which writes were refused, and why; the rows it may not hold are gone from it.
        Assert.Equal(
            new[] { leaving.Id, movedAway.Id, bread.Id, foreign.Id, note.Id }.Select(id => id.ToString()).Order(),
            result.Refused.Select(r => r.Key.Trim('[', ']', '"')).Order());
        Assert.Contains(result.Refused, r => r.Table == "Products" && r.Reason.Contains("not write it", StringComparison.Ordinal));
        Assert.Contains(result.Refused, r => r.Table == "Notes" && r.Reason.Contains("no scope rule", StringComparison.Ordinal));
        Assert.All(result.Refused, r => Assert.StartsWith("This server", r.Reason, StringComparison.Ordinal));
        Assert.Contains(new ChangedRow("Orders", $"[\"{foreign.Id}\"]", RowChange.Evicted), result.Changed);
        Assert.Contains(new ChangedRow("Orders", $"[\"{movedAway.Id}\"]", RowChange.Evicted), result.Changed);

        // And can read them later, until it clears them.
        await using (var db = shops.A.Open())
        {
            var recorded = await db.Liblim().GetRefusedWritesAsync();
            Assert.Equal(result.Refused.Select(r => (r.Table, r.Key, r.Reason)).Order(), recorded.Select(r => (r.Table, r.Key, r.Reason)).Order());
            Assert.All(recorded, r => Assert.NotNull(r.RefusedAt));
            Assert.All(recorded.Concat(result.Refused), r => Assert.Equal(result.Peer, r.Server));
            await db.Liblim().ClearRefusedWritesAsync(recorded.Where(r => r.Table == "Products"));
            Assert.Equal(4, (await db.Liblim().GetRefusedWritesAsync()).Count);
            await db.Liblim().ClearRefusedWritesAsync();
            Assert.Empty(await db.Liblim().GetRefusedWritesAsync());
        }

        // The refused values are in shop A's conflict journal, each lost to the hub's row, which its correction wrote
        // again; the hub applied none of them, and decided nothing (docs/semantics.md, "Conflicts").
        await using (var db = shops.A.Open())
        {
            var journal = await db.Liblim().GetConflictsAsync();
            Assert.Contains(journal, c => c.Table == "Products" && c.Property == nameof(Product.Name) && (c.Winner?.Value, c.Loser.Value) is ("bread", "cake"));
            Assert.Contains(journal, c => c.Table == "Orders" && c.Property == nameof(ShopOrder.ShopId) && (c.Winner?.Value, c.Loser.Value) is ("a", "b"));
            Assert.All(journal, c => Assert.Equal(result.Peer, c.Winner?.Node));
        }

        await using (var db = shops.Hub.Open())
        {
            Assert.Empty(await db.Liblim().GetConflictsAsync());
        }

        // The hub has the allowed write and none of the others.
        var atHub = await ShopHub.RowsAsync(shops.Hub);
        Assert.Contains($"order {own.Id} a Alice Smith", atHub);
        Assert.Contains($"order {leaving.Id} a Anna", atHub);
        Assert.Contains($"order {movedAway.Id} b Arthur", atHub);
        Assert.Contains($"product {bread.Id} bread", atHub);
        Assert.DoesNotContain(atHub, r => r.Contains(foreign.Id.ToString(), StringComparison.Ordinal) || r.Contains(note.Id.ToString(), StringComparison.Ordinal));

        // Each shop shows exactly its scope at the hub: the refused writes are undone on shop A.
        Assert.Equal(await shops.ScopeAtHubAsync("a"), await ShopHub.RowsAsync(shops.A));
        Assert.Equal(await shops.ScopeAtHubAsync("b"), await ShopHub.RowsAsync(shops.B));

        // And it stays so: further syncs change nothing anywhere (no correction answers a correction).
        // Nothing answers the answers: no row changes at the hub, and no refusal comes again.
        var head = await HeadAsync(shops.Hub);
        var again = await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);
        var onceMore = await shops.SyncAsync(shops.A);
        Assert.Equal(head, await HeadAsync(shops.Hub));
        Assert.Empty(again.Refused.Concat(onceMore.Refused));
        Assert.Equal(await shops.ScopeAtHubAsync("a"), await ShopHub.RowsAsync(shops.A));
    }

    private static async Task<long> HeadAsync(ShopReplica replica)
    {
        await using var db = replica.Open();
        return await db.Database.SqlQueryRaw<long>("SELECT seq AS \"Value\" FROM __liblim_state").SingleAsync();
    }

    [Fact]
    public async Task A_shops_write_to_a_table_the_hubs_model_lacks_is_refused_and_stored_nowhere()
    {
        await using var shops = await ShopHub.StartAsync(DatabaseKind.Sqlite);
        await using var raw = await Tcp.RawPeer.ConnectAsync(shops.Server!, await ShopHub.NodeOf(shops.A)); // shop A's node, as a newer app version
        await raw.GreetAsync();
        await raw.SendAsync($"IHAZ {{\"{raw.ServerNode:D}\":0}}\n");
        Assert.StartsWith("IHAZ ", await raw.ReadLineAsync());
        var ts = raw.Timestamp();
        await raw.SendAsync($"UCANHAZ 1\nLoyaltyCards/[\"a-1\"]:{{\"t\":\"{ts}\",\"v\":{{\"Points\":12}},\"a\":[\"{ts}\"]}}\n\nKTHXBAI\n");

        var lines = new List<string>();
        while (await raw.ReadLineAsync() is { } line && !line.StartsWith("KTHXBAI", StringComparison.Ordinal))
        {
            lines.Add(line);
        }

        Assert.Contains(lines, l => l.StartsWith("NOPE LoyaltyCards/[\"a-1\"] This server's model has no table 'LoyaltyCards'", StringComparison.Ordinal));
        Assert.DoesNotContain(ShadowRows.Rows(shops.Hub.Open), r => r.Table == "LoyaltyCards");
    }
}
