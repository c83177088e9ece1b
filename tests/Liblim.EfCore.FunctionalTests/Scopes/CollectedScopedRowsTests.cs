using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Scopes;

/// <summary>
/// A scoped hub records which rows it sent each shop (<c>__liblim_peer_rows</c>). A deleted order goes to the shop that
/// held it as its tombstones, which ends the record, and every shop has to have applied the hub's feed past the delete
/// before the hub collects it, also a shop that never held it: so once it is collected nothing of it is left, neither
/// the row's metadata nor a record of who held it (docs/semantics.md, "Collecting deleted rows").
/// </summary>
public class CollectedScopedRowsTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_deleted_order_collected_at_a_scoped_hub_leaves_no_record_of_the_shops_that_held_it(DatabaseKind hubDatabase)
    {
        await using var shops = await ShopHub.StartAsync(hubDatabase);
        var (gone, kept) = (new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Arthur" }, new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Ada" });
        await shops.AtHubAsync(db => db.Orders.AddRange(gone, kept));
        await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);
        Assert.Equal(2, await HeldByShopsAsync(shops.Hub));

        await shops.AtHubAsync(async db => db.Orders.Remove(await db.Orders.SingleAsync(o => o.Id == gone.Id)));
        foreach (var shop in new[] { shops.A, shops.B })
        {
            await shops.SyncAsync(shop); // A gets the delete; B's position moves past it, though it gets nothing
            await shops.SyncAsync(shop); // each says how far it has applied the hub's feed
        }

        await Collected.WaitUntilAsync(shops.Hub.Open, m => m.Key.Contains(gone.Id.ToString(), StringComparison.Ordinal), "the hub still keeps the deleted order");

        Assert.Equal(1, await HeldByShopsAsync(shops.Hub)); // the kept order's, as shop A holds it
        Assert.Equal([kept.Id], await shops.OrdersAsync(shops.A));
    }

    /// <summary>How many rows the hub has recorded as held by its shops, read as an operator would.</summary>
    private static async Task<int> HeldByShopsAsync(ShopReplica hub)
    {
        await using var db = hub.Open();
        return await db.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM __liblim_peer_rows").SingleAsync();
    }
}
