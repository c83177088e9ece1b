using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Capture;

/// <summary>
/// Edits an app makes while saving (audit columns, say) are recorded when made before Liblim's capture runs: in the
/// context's SavingChanges event or in an override of SaveChanges, both of which EF runs before any interceptor.
/// </summary>
public class AuditEditTests
{
    [Fact]
    public async Task An_edit_made_in_the_SavingChanges_event_is_stamped_and_reaches_a_peer()
    {
        using var a = new SqliteReplica("audit-a");
        using var b = new SqliteReplica("audit-b");
        var id = Guid.NewGuid();
        await using (var db = a.Open())
        {
            db.SavingChanges += (sender, _) =>
            {
                foreach (var entry in ((DbContext)sender!).ChangeTracker.Entries<TodoItem>().Where(e => e.State == EntityState.Modified))
                {
                    entry.Entity.Notes = "audited";
                }
            };
            db.Items.Add(new TodoItem { Id = id, Title = "a", Notes = "first" });
            await db.SaveChangesAsync();
            await Replicas.SyncAsync(b, a);

            (await db.Items.SingleAsync()).Title = "b";
            await db.SaveChangesAsync();
        }

        Assert.Equal(["Notes", "Title"], ShadowRows.ColumnsWithOwnClock(ShadowRows.Row(a, "Items", id)!).Order());
        await Replicas.SyncAsync(b, a);
        await using var peer = b.Open();
        var item = await peer.Items.SingleAsync();
        Assert.Equal(("b", "audited"), (item.Title, item.Notes));
    }
}
