using Liblim.EfCore.Crdt;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// Random inserts, edits and deletes through ordinary EF code, each recorded in a <see cref="WriteLog"/>. The
/// caller must not sync the replica while it edits it, so that the timestamp read after a save is the save's.
/// </summary>
public static class RandomEdits
{
    public static async Task EditAsync(IReplica replica, Guid node, Random random, WriteLog log)
    {
        await using var db = replica.Open();
        var alive = await db.Items.Select(i => i.Id).OrderBy(i => i).ToListAsync();
        var choice = random.Next(10);
        if (alive.Count == 0 || choice < 3)
        {
            var dead = log.Keys.Except(alive).OrderBy(k => k).ToList();
            var id = dead.Count > 0 && random.Next(3) == 0 ? dead[random.Next(dead.Count)] : random.NextGuid();
            var item = new TodoItem { Id = id, Title = $"t{random.Next(100)}", Priority = random.Next(5) };
            db.Items.Add(item);
            await db.SaveChangesAsync();
            log.Insert(id, Clock(replica, node), item.Title, item.Priority);
        }
        else if (choice < 8)
        {
            var pick = alive[random.Next(alive.Count)];
            var item = await db.Items.SingleAsync(i => i.Id == pick);
            var values = new Dictionary<string, object>();
            if (random.Next(2) == 0)
            {
                // A different title: setting the same one writes nothing (EF sees no change), so the log must not record it.
                var title = item.Title;
                while (title == item.Title)
                {
                    title = $"t{random.Next(100)}";
                }

                item.Title = title;
                values["Title"] = item.Title;
            }
            else
            {
                item.Priority = (item.Priority + 1 + random.Next(4)) % 5;
                values["Priority"] = item.Priority;
            }

            await db.SaveChangesAsync();
            log.Update(item.Id, Clock(replica, node), values);
        }
        else
        {
            var id = alive[random.Next(alive.Count)];
            var observed = ShadowRows.Row(replica, "Items", id)!.AddTags!.Split(',').Select(t => HybridTimestamp.Parse(t)).ToList();
            db.Items.Remove(await db.Items.SingleAsync(i => i.Id == id));
            await db.SaveChangesAsync();
            log.Delete(observed);
        }
    }

    /// <summary>What a replica's items table holds, as the log's <see cref="WriteLog.Expected"/> writes it.</summary>
    public static async Task<List<string>> ItemsAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return [.. (await db.Items.AsNoTracking().ToListAsync()).OrderBy(i => i.Id).Select(i => $"{i.Id} {i.Title} {i.Priority}")];
    }

    private static HybridTimestamp Clock(IReplica replica, Guid node) => new(ShadowRows.StateClock(replica), node);
}

/// <summary>
/// Every write made anywhere, stated independently of the implementation. Once all replicas know all writes,
/// a row exists while one of its inserts was not observed by any delete, and each column holds the value of
/// its latest write. Safe to use from several tasks.
/// </summary>
public sealed class WriteLog
{
    private readonly List<(Guid Key, HybridTimestamp At, IReadOnlyDictionary<string, object> Values, bool Insert)> _writes = [];
    private readonly HashSet<HybridTimestamp> _deletedTags = [];

    public IReadOnlyList<Guid> Keys
    {
        get
        {
            lock (_writes)
            {
                return [.. _writes.Select(w => w.Key).Distinct()];
            }
        }
    }

    public void Insert(Guid key, HybridTimestamp at, string title, int priority)
        => Add((key, at, new Dictionary<string, object> { ["Title"] = title, ["Priority"] = priority }, true));

    public void Update(Guid key, HybridTimestamp at, Dictionary<string, object> values) => Add((key, at, values, false));

    public void Delete(IEnumerable<HybridTimestamp> observedTags)
    {
        lock (_writes)
        {
            _deletedTags.UnionWith(observedTags);
        }
    }

    public List<string> Expected()
    {
        lock (_writes)
        {
            return [.. _writes.Select(w => w.Key).Distinct().Order()
                .Where(key => _writes.Any(w => w.Key == key && w.Insert && !_deletedTags.Contains(w.At)))
                .Select(key => $"{key} {Latest(key, "Title")} {Latest(key, "Priority")}")];
        }
    }

    private void Add((Guid, HybridTimestamp, IReadOnlyDictionary<string, object>, bool) write)
    {
        lock (_writes)
        {
            _writes.Add(write);
        }
    }

    private object Latest(Guid key, string column)
        => _writes.Where(w => w.Key == key && w.Values.ContainsKey(column)).MaxBy(w => w.At).Values[column];
}
