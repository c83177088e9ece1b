using Liblim.EfCore.Crdt;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// One random insert (now and then of a key the replica knows as deleted), update or delete through ordinary EF code,
/// recorded in an <see cref="OperationModel"/> with the timestamp it got. Nothing may sync the replica meanwhile, so that
/// the clock read after the save is the save's.
/// </summary>
internal static class ModelledEdits
{
    public static async Task EditAsync(IReplica replica, Guid node, int at, OperationModel model, Random random)
    {
        await using var db = replica.Open();
        var alive = await db.Items.Select(i => i.Id).OrderBy(i => i).ToListAsync();
        var choice = random.Next(10);
        if (alive.Count == 0 || choice < 3)
        {
            // Insert a new key, or now and then re-insert a key this replica knows as deleted.
            var dead = model.KnownDeadKeys(at);
            var id = dead.Count > 0 && random.Next(3) == 0 ? dead[random.Next(dead.Count)] : random.NextGuid();
            var item = new TodoItem { Id = id, Title = $"t{random.Next(100)}", Priority = random.Next(5), Done = random.Next(2) == 0 };
            db.Items.Add(item);
            await db.SaveChangesAsync();
            model.Insert(at, id, Clock(replica, node), item.Title, item.Priority, item.Done);
        }
        else if (choice < 8)
        {
            var id = alive[random.Next(alive.Count)];
            var item = await db.Items.SingleAsync(i => i.Id == id);
            var changes = new Dictionary<string, object>();
            if (random.Next(2) == 0) { item.Title = $"t{random.Next(100)}"; }
            if (random.Next(2) == 0) { item.Priority = random.Next(5); }
            if (random.Next(3) == 0) { item.Done = !item.Done; }
            var entry = db.Entry(item);
            foreach (var p in new[] { nameof(TodoItem.Title), nameof(TodoItem.Priority), nameof(TodoItem.Done) })
            {
                if (!Equals(entry.Property(p).OriginalValue, entry.Property(p).CurrentValue))
                {
                    changes[p] = entry.Property(p).CurrentValue!;
                }
            }

            await db.SaveChangesAsync();
            if (changes.Count > 0)
            {
                model.Update(at, id, Clock(replica, node), changes);
            }
        }
        else
        {
            var id = alive[random.Next(alive.Count)];
            db.Items.Remove(await db.Items.SingleAsync(i => i.Id == id));
            await db.SaveChangesAsync();
            model.Delete(at, id);
        }
    }

    /// <summary>The timestamp the replica's last local write got: its state row's clock.</summary>
    private static HybridTimestamp Clock(IReplica replica, Guid node) => new(ShadowRows.StateClock(replica), node);
}
